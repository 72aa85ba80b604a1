"""studio.ratings.stats against values computed by hand with scipy: win rate over decisive
votes, its Clopper-Pearson interval, the sign test, and the sentence in the leaderboard's
style and units."""
from __future__ import annotations

import math

from scipy.stats import binomtest

from studio.ratings import Rating, pair_rows
from studio.ratings.stats import leaderboard_rows, pair_stats
from studio.ratings.store import RatingStore


def votes(run_a, run_b, wins, losses, ties=0, both_bad=0) -> list[Rating]:
    """Votes where `run_a` wins `wins` times; sides alternate so orientation is exercised."""
    out = []
    for i, outcome in enumerate(["w"] * wins + ["l"] * losses + ["t"] * ties + ["x"] * both_bad):
        a, b = (run_a, run_b) if i % 2 == 0 else (run_b, run_a)
        vote = {"t": "tie", "x": "both_bad"}.get(outcome) or (
            ("a" if a == run_a else "b") if outcome == "w" else ("b" if a == run_a else "a"))
        out.append(Rating(prompt=f"p{i}", run_a=a, run_b=b, answer_a="x", answer_b="y",
                          vote=vote))
    return out


def test_seven_wins_two_losses_one_tie():
    [s] = pair_rows(votes("tuned", "base:tiny-gpt", 7, 2, 1))
    assert (s.run_a, s.run_b, s.wins, s.losses, s.ties, s.both_bad) == \
        ("tuned", "base:tiny-gpt", 7, 2, 1, 0)
    assert s.ratings == 10
    test = binomtest(7, 9)
    ci = test.proportion_ci(confidence_level=0.95, method="exact")
    assert math.isclose(s.win_rate.value, 7 / 9)
    assert math.isclose(s.win_rate.low, ci.low) and math.isclose(s.win_rate.high, ci.high)
    assert math.isclose(s.p_value, test.pvalue)  # 0.1797: not significant
    assert s.verdict.code == "rating_not_significant"
    assert s.verdict.params["rate"] == "77.8" and s.verdict.params["decisive"] == 9
    assert s.verdict.message == (
        f"tuned wins 77.8% of decisive votes against base:tiny-gpt, but the difference is not "
        f"significant (95% CI {ci.low * 100:.1f} to {ci.high * 100:.1f}; sign test "
        f"p = {test.pvalue:.3g}, 9 decisive of 10 ratings).")


def test_a_clear_winner_is_named_first_and_beats():
    s = pair_stats("a-run", "b-run", wins=1, losses=12, ties=2, both_bad=1)
    assert (s.run_a, s.wins, s.losses) == ("b-run", 12, 1)  # the winner first
    assert math.isclose(s.p_value, binomtest(12, 13).pvalue) and s.p_value < 0.05
    assert s.verdict.code == "rating_beats"
    assert s.verdict.message.startswith("b-run beats a-run in 92.3% of decisive votes (95% CI")


def test_only_ties_give_no_interval_and_say_so():
    s = pair_stats("x", "y", 0, 0, ties=2, both_bad=1)
    assert s.win_rate.low is None and s.p_value is None
    assert s.verdict.code == "rating_no_decisive" and "3 ratings" in s.verdict.message
    row = s.to_dict()
    assert row["ratings"] == 3 and row["low"] is None


def test_pairs_are_kept_apart_and_named_for_the_leaderboard(tmp_path):
    from studio.runs import Registry
    from studio.config import JobConfig
    registry = Registry(tmp_path)
    cfg = JobConfig(task="chat", name="friendly")
    cfg.data.train_file = "chat.json"
    run = registry.new_run(cfg)
    store = RatingStore(tmp_path)
    for r in votes(run.id, "base:tiny-gpt", 3, 1) + votes("r2", "r3", 1, 0):
        store.add(r)
    rows = leaderboard_rows(registry)
    assert [(r["name_a"], r["name_b"], r["wins"], r["losses"]) for r in rows] == \
        [("friendly", "base:tiny-gpt", 3, 1), ("r2", "r3", 1, 0)]
    assert rows[0]["verdict"]["code"] == "rating_not_significant"
    assert leaderboard_rows(registry, owner="someone") == []
