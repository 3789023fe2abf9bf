"""Left against right: the index |L - R| / max(L, R), its flags, the set summary and report of
one-sided exercises (synthetic bird-dog and nerve-glide sets), the period view of Progress and
the PDF, and real per-side bird-dog clips in ../shared/media."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pages import _choose_patient
from synth import bird_dog_rep, bridge_reps, run
from synth_sciatica import glide_pose, ramp

from formcheck.core import config
from formcheck.engine.asymmetry import SideStats, combine, from_dict, from_stats, index_of
from formcheck.engine.report import build_report
from formcheck.rules.definition import get_definition
from formcheck.rules.profile import Profile, apply_profile


@pytest.mark.parametrize("left,right,want", [
    (5, 5, 0.0), (4, 2, 0.5), (0, 3, 1.0), (2.0, 2.5, 0.2), (0, 0, None), (None, 3, None),
])
def test_index_table(left, right, want):
    assert index_of(left, right) == want


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1e4, allow_subnormal=False), st.floats(0, 1e4, allow_subnormal=False), st.floats(0.01, 100))
def test_index_is_symmetric_bounded_and_scale_free(a, b, k):
    i = index_of(a, b)
    if max(a, b) == 0:
        assert i is None
        return
    assert i is not None and 0.0 <= i <= 1.0 and index_of(b, a) == i
    assert index_of(a * k, b * k) == pytest.approx(i, abs=2e-3)


@pytest.mark.parametrize("left,right,flagged", [
    (SideStats(5, 10.0, 0.0, 80.0), SideStats(4, 9.0, 0.0, 75.0), []),           # one rep short, close
    (SideStats(5, 10.0, 0.0, 80.0), SideStats(3, 10.0, 0.0, 80.0), ["reps"]),     # 40% fewer reps
    (SideStats(5, 10.0, 0.0, 80.0), SideStats(5, 5.0, 0.0, 80.0), ["hold_s"]),
    (SideStats(5, 10.0, 0.0, 80.0), SideStats(5, 10.0, -20.0, 60.0), ["range"]),  # 25% less range
    (SideStats(5, 10.0, 0.0, 80.0), SideStats(5, 10.0, 0.0, 68.0), []),           # exactly 15%: not above
    (SideStats(1, 2.0, 0.0, 80.0), SideStats(0, 0.0, None, None), []),            # one side only, one rep
])
def test_flags_above_the_share_but_never_for_one_rep(left, right, flagged):
    a = from_stats({"left": left, "right": right}, config.ASYMMETRY_FLAG_SHARE)
    assert a is not None and a.flagged == flagged
    assert (a.message() is None) == (not flagged)


def glide_rep(side, top_knee):
    mk = lambda **a: glide_pose(leg_side=side, **a)  # noqa: E731
    bent, top = {"knee_deg": 90.0, "head_pitch_deg": -40.0}, {"knee_deg": top_knee, "head_pitch_deg": 20.0}
    return [mk(**bent)] * 10 + ramp(mk, bent, top, 15) + [mk(**top)] * 15 + ramp(mk, top, bent, 15) + [mk(**bent)] * 10


def test_glide_set_summary_compares_the_knee_range_per_side():
    """The left knee straightens to 175, the right only to 155: 85 vs 65 deg moved, 24% apart."""
    d = get_definition("sciatic_nerve_glide")
    r = run(d, glide_rep("left", 175.0) * 2 + glide_rep("right", 155.0) * 2)
    a = r.summary.asymmetry
    assert a is not None and [x.side for x in r.reps] == ["left", "left", "right", "right"]
    assert a.sides["left"].reps == a.sides["right"].reps == 2
    assert a.sides["left"].key_angle == pytest.approx(175.0, abs=1)
    assert a.sides["right"].key_angle == pytest.approx(155.0, abs=1)
    rl, rr = a.sides["left"].range, a.sides["right"].range
    assert rl == pytest.approx(85.0, abs=2) and rr == pytest.approx(65.0, abs=2)
    assert a.index["range"] == pytest.approx(abs(rl - rr) / max(rl, rr), abs=1e-3)
    assert a.flagged == ["range"] and "range moved left" in (a.message() or "")
    assert a.message() in r.summary.messages()
    stored = json.loads(json.dumps(build_report(r)))["summary"]["asymmetry"]
    assert stored["flagged"] == ["range"] and from_dict(stored).index == a.index


def test_the_flag_share_is_set_by_the_therapist():
    d = get_definition("sciatic_nerve_glide")
    seq = glide_rep("left", 175.0) + glide_rep("right", 155.0)
    loose = apply_profile(d, Profile(exercise=d.id, definition_version=d.version, asymmetry_flag_share=0.3))
    a = run(loose, seq).summary.asymmetry
    assert a is not None and a.flag_share == 0.3 and a.flagged == []
    strict = d.model_copy(update={"asymmetry_flag_share": 0.1})   # a definition may set its own
    assert "range" in run(strict, seq).summary.asymmetry.flagged  # type: ignore[union-attr]


def test_bird_dog_hold_with_bad_form_on_one_side_is_flagged():
    r = run(get_definition("bird_dog"), bird_dog_rep("left") + bird_dog_rep("right", leg_peak=-22.0))
    a = r.summary.asymmetry
    assert a is not None and a.sides["left"].hold_s > 0.5 and a.sides["right"].hold_s == 0.0
    assert "hold_s" in a.flagged


def test_two_sided_exercises_have_no_asymmetry():
    r = run(get_definition("bridge"), bridge_reps(2))
    assert r.summary.asymmetry is None and build_report(r)["summary"]["asymmetry"] is None


@pytest.mark.parametrize(("left", "right", "want"), [
    (SideStats(3, 4.0, 80.0, 60.0), SideStats(3, 3.8, 79.0, 58.0), "Your left and right sides were about even."),
    (SideStats(2, 1.0, 80.0, 60.0), SideStats(0), "Only your left side was done in this set."),
    (SideStats(5, 4.0, 80.0, 60.0), SideStats(2, 4.0, 80.0, 60.0),
     "You did 5 reps on the left and 2 reps on the right. Your therapist will look at this."),
    (SideStats(3, 4.04, 80.0, 85.04), SideStats(3, 2.0, 60.0, 64.1),
     "You held longer on the left (4.0 s) than on the right (2.0 s). Your right side moved less far than your "
     "left (64 deg against 85 deg). Your therapist will look at this."),
])
def test_the_patient_reads_the_sides_in_plain_words(left, right, want):
    a = from_stats({"left": left, "right": right}, 0.15, "Knee")
    assert a is not None and a.plain() == want
    assert "|" not in want and "0.1" not in want    # no formula, no ratio


class _Page:
    """What a streamlit container was asked to show (show_sides takes the container)."""

    def __init__(self):
        self.shown: list[str] = []

    def markdown(self, text):
        self.shown.append(text)

    caption = markdown

    def table(self, df):
        self.shown.append(df.to_csv())


def test_set_summary_shows_the_sides_in_plain_words_with_rounded_numbers():
    """The live set summary and Clip review (ui.results.show_sides) on a glide set whose right
    knee straightens less: a sentence, whole degrees, a table to 0.1, no formula."""
    import re

    from formcheck.ui.results import show_sides

    d = get_definition("sciatic_nerve_glide")
    page = _Page()
    show_sides(run(d, glide_rep("left", 175.0) * 2 + glide_rep("right", 155.0) * 2).summary.asymmetry, page)
    text = "\n".join(page.shown)
    assert page.shown[0].startswith("**Left and right**: Your right side moved less far than your left (")
    assert "Your therapist will look at this." in page.shown[0] and "|" not in text and "sciatic" not in text
    assert not re.search(r"\d\.\d\d", text), text      # nothing past one decimal
    show_sides(None, page)
    assert len(page.shown) == 3


def test_combine_sums_reps_over_sets_and_keeps_the_longest_hold():
    one = from_stats({"left": SideStats(3, 4.0, 10.0, 80.0), "right": SideStats(0)}, 0.15)
    two = from_stats({"left": SideStats(0), "right": SideStats(3, 2.0, 20.0, 60.0)}, 0.15)
    assert one is not None and two is not None
    a = combine([one, two])
    assert a is not None and a.sides["left"].reps == a.sides["right"].reps == 3
    assert a.index["hold_s"] == 0.5 and a.index["range"] == 0.25 and a.key_angle_diff == -10.0
    assert combine([]) is None


@pytest.fixture
def sided_db(tmp_path):
    from formcheck.storage import open_database, repo

    db = open_database(tmp_path)
    d = get_definition("sciatic_nerve_glide")
    start = datetime.now(UTC) - timedelta(days=3)
    for day in range(3):
        repo.record_result(db, "Jane Doe", run(d, glide_rep("left", 175.0) * 2 + glide_rep("right", 155.0) * 2),
                           source="clip", started_at=start + timedelta(days=day))
    yield db
    db.dispose()


def test_pdf_report_shows_left_and_right(sided_db, tmp_path):
    import pypdfium2 as pdfium

    from formcheck.pdf.clinician import clinician_report

    path = clinician_report(sided_db, "Jane Doe", tmp_path / "jane.pdf", weeks=2)
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == 1
    words = doc[0].get_textpage().get_text_range()
    for expect in ("Left and right", "Sciatic nerve glide", "6 / 6", "Knee at the top: 175", "range moved 2", "(>15%)"):
        assert expect in words, (expect, words)
    doc.close()


def test_history_shows_left_and_right_per_exercise(sided_db, tmp_path, capsys):
    """`formcheck history` lists the sides over all sets as Progress and the PDF do: 3 sets of
    2 left + 2 right glides, the knee at 175 deg on the left and 155 deg on the right."""
    from formcheck.cli.main import main

    assert main(["history", "--patient", "Jane Doe", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "left and right, Sciatic nerve glide, all sets (flagged above 15%)" in out
    table = {ln[:20].strip(): ln[20:].split() for ln in out.splitlines() if ln.startswith("  ")}
    assert table["Reps"] == ["6", "6", "0%"]
    left, right, diff = (float(v) for v in table["Knee at the top"][:3])   # 155 deg set; 154.1 measured
    assert left == 175.0 and right == pytest.approx(155.0, abs=1.5) and diff == round(left - right, 1)
    assert table["Range moved (deg)"][-1] == "(flagged)" and "Left and right differ: range moved" in out
    assert out.count("left and right,") == 1     # once per exercise, not once per set
    assert main(["history", "--patient", "Jane Doe", "--data-dir", str(tmp_path), "-e", "bridge"]) == 0
    assert "left and right" not in capsys.readouterr().out


def test_progress_page_shows_left_and_right(app, sided_db):
    at = _choose_patient(app)
    tables = " ".join(t.value.to_csv() for t in at.table)
    assert "Range moved (deg)" in tables and "(flagged)" in tables and "Knee at the top" in tables
    assert any("Left and right, all sets" in m.value for m in at.markdown)
    assert any("Left and right differ" in w.value for w in at.warning)


@pytest.mark.media
@pytest.mark.slow
@pytest.mark.parametrize("clip", ["birddog/polybag_bird_dog.mp4", "birddog/cole_bird_dog_alternating.gif"])
def test_real_bird_dog_clips_compare_their_sides(media, pose_cache, clip, capsys):
    """Both clips do one extension per side (LABELS.toml); cole's second extension keeps the knee
    bent and the leg below hip height, so its side's thigh is lower at the top."""
    from formcheck.cli.main import main
    from formcheck.engine.session import analyze_sequence

    seq = pose_cache(clip)
    r = analyze_sequence(seq, get_definition("bird_dog"))
    a = r.summary.asymmetry
    assert a is not None and sorted(x.side for x in r.reps) == ["left", "right"]
    assert a.sides["left"].reps == a.sides["right"].reps == 1 and a.index["reps"] == 0.0
    ranges = {x.side: round(x.peak - x.trough, 1) for x in r.reps}
    assert a.sides["left"].range == ranges["left"] and a.sides["right"].range == ranges["right"]
    assert a.index["range"] == pytest.approx(abs(ranges["left"] - ranges["right"]) / max(ranges.values()), abs=1e-3)
    if clip.startswith("birddog/cole"):
        first, second = r.reps
        assert a.sides[second.side].key_angle < a.sides[first.side].key_angle   # type: ignore[operator]
    npz = pose_cache.folder / (clip.replace("/", "__") + ".npz")
    assert main(["analyze", str(media / clip), "-e", "bird_dog", "--landmarks", str(npz)]) == 0
    assert "left / right: Reps 1 / 1 (0%)" in capsys.readouterr().out
