"""The landmark websocket alone, for the load benchmark (benchmarks/bench_live_load.py): the
same route and handler as the app (formcheck.run.live.websocket), with $FC_LOAD_PATIENTS live sets
of $FC_LOAD_EXERCISE (default bridge) registered at start-up (a LandmarkLive and a SetRecorder
each, writing to the SQLite file $FC_LOAD_DB; in $FORMCHECK_LIVE_WORKERS judging worker processes
as in the app, default one per core, or in this process with 0; the first $FORMCHECK_LIVE_IN_SERVER
sets in this process, as the app places them), plus one for a warm-up patient, and their tokens
written to $FC_LOAD_TOKENS (mode 600) as ``{"warm_up": token, "patients": [token, ...]}``. No Streamlit: no page
registers them, so the per-patient panel refresh (a fragment rerun a second) is not in here.

    uvicorn benchmarks.live_load_server:app --host 127.0.0.1 --port PORT
"""

from __future__ import annotations

import cProfile
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette

from formcheck.media.bundles import default_model_path
from formcheck.rules.definition import get_definition
from formcheck.run.live import websocket as landmark_socket
from formcheck.run.live.landmarks import LandmarkLive
from formcheck.run.live.registry import REGISTRY
from formcheck.run.live.remote import RemoteLive
from formcheck.run.live.workers import RecorderSpec, WorkerPool, judged_in_server, room_in_server, worker_count
from formcheck.storage.database import Database
from formcheck.storage.recorder import SetRecorder

WARM_UP = "Warm-up patient"


def patient(k: int) -> str:
    return f"Load patient {k:03d}"


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    n = int(os.environ["FC_LOAD_PATIENTS"])
    db = Database(f"sqlite:///{os.environ['FC_LOAD_DB']}")
    d = get_definition(os.environ.get("FC_LOAD_EXERCISE", "bridge"))
    names = [WARM_UP] + [patient(k) for k in range(n)]
    workers = WorkerPool(worker_count()) if worker_count() else None   # as the app: $FORMCHECK_LIVE_WORKERS
    procs: list[Any] = []
    for k, name in enumerate(names):   # placed as the Live page places them: the first few in this process
        if workers is not None and not room_in_server() and k:
            procs.append(RemoteLive(workers, d, default_model_path(),
                                    recorder=RecorderSpec(db.url, None, name, d.id, d.version)))
        else:
            procs.append(LandmarkLive(d, default_model_path(), recorder=SetRecorder(db, name, d.id, d.version)))
            # (the warm-up patient's set, here too, is over before the others start: no room kept)
            judged_in_server(procs[-1], open_=k > 0)
    tokens = [REGISTRY.register(p, f"load-{k}", name) for k, (p, name) in enumerate(zip(procs, names, strict=True))]
    out = Path(os.environ["FC_LOAD_TOKENS"])
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"warm_up": tokens[0], "patients": tokens[1:]}))
    tmp.chmod(0o600)
    tmp.rename(out)   # the client waits for this file: all sets are registered
    profile = os.environ.get("FC_LOAD_PROFILE")   # a cProfile of the event loop's thread, to this file
    prof = cProfile.Profile() if profile else None
    if prof is not None:
        prof.enable()
    yield
    if prof is not None:
        prof.disable()
        prof.dump_stats(str(profile))
    for p in procs:
        p.close()   # finishes and flushes each set in its patient's history
    if workers is not None:
        workers.shutdown()
    db.dispose()


app = Starlette(routes=landmark_socket.routes(), lifespan=lifespan)
