"""A tie on the leaderboard's score breaks on the next metric, and the page says why the ★ went
where it did (studio/leaderboard/ties.py, components/leaderboard_view.verdict_text)."""
from __future__ import annotations

from studio.leaderboard.board import Entry, Group, rank
from studio.leaderboard.scores import RowScores
from studio.leaderboard.stats import Interval


def entry(label, score, f1=None, latency=None, created=0.0):
    rows = RowScores(metric="accuracy", keys=["a", "b"], scores=[100.0, 100.0])
    return Entry(run_id="run-" + label, label=label, model="tiny-bert", method="full",
                 created=created, score=Interval(score, score, score, 49), macro_f1=f1,
                 latency_ms=latency, scored=rows)


def ranked(*entries):
    return rank(Group(fingerprint="f", task="classification", data="d.csv", metric="accuracy",
                      entries=list(entries)))


def test_a_tie_on_accuracy_goes_to_the_higher_macro_f1_and_says_so():
    # The older run comes first in the old rule (same score, no latency): it had the lower F1.
    group = ranked(entry("older", 100.0, f1=0.91, created=1.0),
                   entry("newer", 100.0, f1=0.97, created=2.0))
    assert [e.label for e in group.entries] == ["newer", "older"]
    assert group.entries[0].best
    assert group.tie.code == "tie_macro_f1"
    assert group.tie.params["a"] == "0.9700" and group.tie.params["b"] == "0.9100"
    assert "higher macro-F1" in group.tie.message


def test_a_tie_as_shown_counts_and_a_real_gap_still_wins():
    # 99.96 and 100.0 both read "100.0" in the table: a tie; 99.0 vs 100.0 is not.
    group = ranked(entry("a", 100.0, f1=0.90), entry("b", 99.96, f1=0.95))
    assert group.entries[0].label == "b" and group.tie is not None
    group = ranked(entry("a", 100.0, f1=0.90), entry("b", 99.0, f1=0.95))
    assert group.entries[0].label == "a" and group.tie is None


def test_then_speed_then_age():
    group = ranked(entry("slow", 80.0, f1=0.8, latency=5.0), entry("fast", 80.0, f1=0.8,
                                                                     latency=2.0))
    assert group.entries[0].label == "fast" and group.tie.code == "tie_latency"
    group = ranked(entry("young", 80.0, created=5.0), entry("old", 80.0, created=1.0))
    assert group.entries[0].label == "old" and group.tie.code == "tie_older"


def test_the_page_says_why_in_both_languages():
    from components.leaderboard_view import verdict_text
    group = ranked(entry("older", 100.0, f1=0.91, created=1.0),
                   entry("newer", 100.0, f1=0.97, created=2.0))
    en, zh = verdict_text(group, "en"), verdict_text(group, "zh-CN")
    assert "newer and older tie on accuracy (100.0)" in en and "0.9700 vs 0.9100" in en
    assert "准确率相同" in zh and "宏 F1 更高" in zh
    assert "metric_" not in en + zh and "accuracy" not in zh
