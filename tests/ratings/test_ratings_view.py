"""The ratings under the leaderboard (components/ratings_view.py): one row per rated pair with
the engine's win rate and interval, a base model named in the page's words, and, on a hosted
studio, only the request owner's votes in the table and in the downloads."""
from __future__ import annotations

import csv
import json

from components import ratings_view as rv
from studio.ratings import Rating, RatingStore
from studio.ratings.stats import pair_stats
from studio.runs import Registry


def vote(store, a, b, v, owner="", prompt="p"):
    store.add(Rating(prompt=prompt, run_a=a, run_b=b, answer_a="ans " + a, answer_b="ans " + b,
                     vote=v, owner=owner))


def test_table_shows_each_pair_with_the_engines_interval(tmp_path):
    registry = Registry(tmp_path)
    store = RatingStore(registry.workspace)
    for v in ["a"] * 7 + ["b"] * 2 + ["tie"]:
        vote(store, "run1", "base:tiny-gpt", v)
    out = rv.show(registry, "en")
    frame = out["rt_table"]["value"]
    assert list(frame.iloc[0])[:5] == ["run1 vs base model tiny-gpt", 7, 2, 1, 0]
    rate = pair_stats("run1", "base:tiny-gpt", 7, 2, 1).win_rate
    assert frame.iloc[0, 5] == round(100 * rate.value, 1)
    assert frame.iloc[0, 6] == f"{100 * rate.low:.1f} – {100 * rate.high:.1f}"
    assert frame.iloc[0, 7] == 10
    assert "run1 wins 77.8% of decisive votes against base model tiny-gpt" in out["rt_verdicts"]
    zh = rv.show(registry, "zh-CN")
    assert "基础模型 tiny-gpt" in zh["rt_verdicts"] and "有效投票" in zh["rt_verdicts"]


def test_hosted_owner_sees_and_downloads_only_their_votes(tmp_path):
    registry = Registry(tmp_path)
    store = RatingStore(registry.workspace)
    vote(store, "mine1", "mine2", "a", owner="alice", prompt="alice's prompt")
    vote(store, "mine1", "mine2", "tie", owner="alice", prompt="alice's tie")
    vote(store, "theirs1", "theirs2", "b", owner="bob", prompt="bob's secret")
    out = rv.show(registry, "en", "alice")
    assert "mine1 vs mine2" in out["rt_table"]["value"].to_string()
    assert "theirs" not in out["rt_table"]["value"].to_string()
    assert rv.show(registry, "en", "carol")["rt_table"]["visible"] is False

    got = rv.download(registry, "en", "alice")
    pairs_path, csv_path = got["rt_files"]
    pairs = [json.loads(line) for line in open(pairs_path, encoding="utf-8")]
    assert pairs == [{"prompt": "alice's prompt", "chosen": "ans mine1",
                      "rejected": "ans mine2"}]
    with open(csv_path, encoding="utf-8") as f:
        assert [r["prompt"] for r in csv.DictReader(f)] == ["alice's prompt", "alice's tie"]
    assert "Preference pairs: 1" in got["rt_message"]
    assert rv.download(registry, "en", "carol")["rt_files"] is None
    # each request gets its own folder: one owner's file is never another's link
    again = rv.download(registry, "en", "alice")["rt_files"][0]
    assert again != pairs_path
