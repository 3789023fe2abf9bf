"""Shared by the page tests: a patient database with a programme and ten days of sets, and
choosing that patient on the page (AppTest)."""


from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from formcheck.engine.reps import Rep
from formcheck.rules.symptoms import Checkin
from formcheck.storage import checkins, open_database, programmes, repo


@pytest.fixture
def patient_db(tmp_path):
    db = open_database(tmp_path)
    programmes.prescribe(db, "Jane Doe", [programmes.Item("bridge", 2, 5),
                                          programmes.Item("bird_dog", 1, 4, rest_s=30)],
                         days_per_week=4, notes="Slow and controlled")
    start = datetime.now(UTC) - timedelta(days=10)
    for d in range(10):
        sid = repo.start_set(db, "Jane Doe", "bridge", "live", "1.1", started_at=start + timedelta(days=d))
        for i in range(1, 6):
            repo.add_rep(db, sid, Rep(i, None, i * 1000.0, i * 1000.0 + 400, i * 1000.0 + 800, 300.0,
                                      ["hips_too_low"] if i == 5 and d < 5 else [],
                                      key_angles={"hip_extension_deg": 165.0 + d}))
    checkins.record(db, "Jane Doe", Checkin(2, "back"))   # today's check-in: the Live page opens
    yield db
    db.dispose()


def _choose_patient(at, name="Jane Doe"):  # type: ignore[no-untyped-def]
    at.run()
    at.sidebar.selectbox(key="patient").set_value(name).run()
    assert not at.exception, at.exception
    return at

