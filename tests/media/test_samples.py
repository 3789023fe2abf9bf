"""The sample clips for a first run: listed with their exercise and licence, licence texts
beside them, one per exercise, and the README's first-run command gives a verdict."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formcheck.core import config
from formcheck.media.samples import samples, samples_for
from formcheck.rules.definition import available_exercises

README = config.PROJECT_ROOT / "README.md"


def test_every_sample_has_its_exercise_and_licence_text():
    found = samples()
    assert {s.exercise for s in found} == {"bridge", "bird_dog", "sitting", "pelvic_tilt", "cat_cow",
                                           "standing_posture"}
    for s in found:
        assert s.exercise in available_exercises()
        for name in re.findall(r"[\w.-]+\.txt", s.licence):
            assert (config.SAMPLE_VIDEOS_DIR / name).is_file(), name
    assert [s.exercise for s in samples_for("bird_dog")] == ["bird_dog"]


def test_a_broken_sample_list_offers_none(tmp_path: Path):
    (tmp_path / "samples.toml").write_text("[[sample]\n")
    assert samples(tmp_path) == []
    (tmp_path / "samples.toml").write_text('[[sample]]\nfile = "gone.mp4"\nexercise = "bridge"\n')
    assert samples(tmp_path) == []


@pytest.mark.slow
def test_readme_first_run_command_gives_a_verdict(capsys):
    from formcheck.cli.main import main

    line = next(x for x in README.read_text().splitlines() if "formcheck analyze sample_videos/" in x)
    args = line.split("formcheck ", 1)[1].split()
    args = [a for a in args if a not in ("--video", "annotated.mp4")]
    assert main([args[0], str(config.PROJECT_ROOT / args[1]), *args[2:]]) == 0
    out = capsys.readouterr().out
    assert "reps 1" in out and "rep 1" in out and ": ok" in out


@pytest.mark.slow
@pytest.mark.parametrize("exercise,reps,faults", [("pelvic_tilt", 0, set()), ("cat_cow", 2, set()),
                                                  ("standing_posture", 0, set())])
def test_programme_samples_give_their_verdict(exercise, reps, faults):
    """The samples of the home-programme exercises: a tilt with the hips down, two cat-cow
    rounds, a good standing posture (its front-view part says to turn side-on)."""
    from formcheck.rules.definition import get_definition
    from formcheck.run.pipeline import analyze_clip

    (sample,) = samples_for(exercise)
    r = analyze_clip(sample.path, get_definition(exercise))
    assert len(r.reps) == reps
    assert set(r.summary.faults) == faults

