"""The landmark websocket alone, for the load benchmark (benchmarks/bench_live_load.py): the
same route and handler as the app (formcheck.run.live.websocket), with $FC_LOAD_PATIENTS live sets
registered at start-up (a LandmarkLive and a SetRecorder each, writing to the SQLite file
$FC_LOAD_DB) and their tokens written to $FC_LOAD_TOKENS (mode 600). No Streamlit: no page
registers them, so the per-patient panel refresh (a fragment rerun a second) is not in here.

    uvicorn benchmarks.live_load_server:app --host 127.0.0.1 --port PORT
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette

from formcheck.media.bundles import default_model_path
from formcheck.rules.definition import get_definition
from formcheck.run.live import websocket as live_socket
from formcheck.run.live.landmarks import LandmarkLive
from formcheck.run.live.registry import REGISTRY
from formcheck.storage.database import Database
from formcheck.storage.recorder import SetRecorder

EXERCISE = "bridge"


def patient(k: int) -> str:
    return f"Load patient {k:03d}"


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    n = int(os.environ["FC_LOAD_PATIENTS"])
    db = Database(f"sqlite:///{os.environ['FC_LOAD_DB']}")
    d = get_definition(EXERCISE)
    procs = [LandmarkLive(d, default_model_path(), recorder=SetRecorder(db, patient(k), d.id, d.version))
             for k in range(n)]
    tokens = [REGISTRY.register(p, f"load-{k}", patient(k)) for k, p in enumerate(procs)]
    out = Path(os.environ["FC_LOAD_TOKENS"])
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(tokens))
    tmp.chmod(0o600)
    tmp.rename(out)   # the client waits for this file: all sets are registered
    yield
    for p in procs:
        p.close()   # finishes and flushes each set in its patient's history
    db.dispose()


app = Starlette(routes=live_socket.routes(), lifespan=lifespan)
