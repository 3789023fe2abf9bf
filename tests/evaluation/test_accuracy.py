"""The per-check accuracy table of ``formcheck evaluate``: Wilson intervals and the tally."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from formcheck.evaluation.accuracy import format_accuracy, tally, wilson


@pytest.mark.parametrize("right,n,lo,hi", [
    (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0), (5, 10, 0.2366, 0.7634),
    (1, 1, 0.2065, 1.0), (4, 5, 0.3755, 0.9638), (0, 0, 0.0, 1.0),
])
def test_wilson_interval_matches_published_values(right, n, lo, hi):
    got = wilson(right, n)
    assert got == pytest.approx((lo, hi), abs=5e-4)


@pytest.mark.parametrize("right,n", [(k, n) for n in (1, 3, 7, 20) for k in range(n + 1)])
def test_wilson_interval_holds_the_share_and_stays_in_range(right, n):
    lo, hi = wilson(right, n)
    assert 0.0 <= lo <= right / n <= hi <= 1.0
    assert hi - lo > 0   # never a zero-width claim from a few entries


@dataclass
class _Entry:
    exercise: str
    label_form: str
    flagged: list[str]
    label_faults: list[str] = field(default_factory=list)
    check_ids: list[str] = field(default_factory=lambda: ["a", "b"])


def test_tally_counts_fault_entries_only_for_their_own_faults():
    entries = [
        _Entry("x", "fault", ["a"], ["a"]),          # a fired as labelled (b: not labelled, not counted)
        _Entry("x", "fault", ["b"], ["a"]),          # a missed
        _Entry("x", "good", []),                     # both quiet: right
        _Entry("x", "good", ["b"]),                  # b false alarm on good form
        _Entry("x", "not_performed", ["a"]),         # a look-alike flagged: wrong
        _Entry("x", "unscored", ["a", "b"]),         # not counted
    ]
    t = {r.check: r for r in tally(entries)}
    assert (t["a"].fire_right, t["a"].fire_n, t["a"].quiet_right, t["a"].quiet_n) == (1, 2, 2, 3)
    assert (t["b"].fire_right, t["b"].fire_n, t["b"].quiet_right, t["b"].quiet_n) == (0, 0, 2, 3)
    text = format_accuracy(list(t.values()))
    row = next(line for line in text.splitlines() if line.split()[:2] == ["x", "a"])
    assert "1/2 (9-91%)" in row and "2/3 (21-94%)" in row
    b_row = next(line for line in text.splitlines() if line.split()[:2] == ["x", "b"])
    assert b_row.split()[2] == "-"
