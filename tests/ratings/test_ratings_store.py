"""studio.ratings.store: votes round-trip through ratings.jsonl, each owner sees only its own,
and a wrong vote or a torn line never becomes a vote."""
from __future__ import annotations

import json

import pytest

from studio.ratings import Rating, RatingStore
from studio.ratings.store import RatingError


def rating(vote="a", owner="", prompt="Say hi", **kw) -> Rating:
    return Rating(prompt=prompt, run_a="run-1", run_b="base:tiny-gpt", answer_a="hi",
                  answer_b="hello there", vote=vote, shown_first="b", owner=owner, **kw)


def test_a_vote_round_trips_with_every_field(tmp_path):
    store = RatingStore(tmp_path)
    stored = store.add(rating(session="s1"))
    assert stored.time > 0
    back = RatingStore(tmp_path).list()
    assert back == [stored]
    assert back[0].to_dict() == {"prompt": "Say hi", "run_a": "run-1", "run_b": "base:tiny-gpt",
                                 "answer_a": "hi", "answer_b": "hello there", "vote": "a",
                                 "shown_first": "b", "owner": "", "time": stored.time,
                                 "session": "s1"}
    assert (tmp_path / "ratings.jsonl").exists()


def test_an_owner_never_sees_another_owners_votes(tmp_path):
    store = RatingStore(tmp_path)
    store.add(rating("a", owner="alice", prompt="one"))
    store.add(rating("b", owner="bob", prompt="two"))
    store.add(rating("tie", owner="alice", prompt="three"))
    assert [r.prompt for r in store.list("alice")] == ["one", "three"]
    assert [r.prompt for r in store.list("bob")] == ["two"]
    assert store.list("carol") == [] and store.list("") == []
    assert len(store.list()) == 3  # local mode / the CLI: every vote
    assert [r.prompt for r in store.for_pair("base:tiny-gpt", "run-1", "bob")] == ["two"]


@pytest.mark.parametrize("bad", [dict(vote="left"), dict(vote=""), dict(shown_first="c"),
                                 dict(run_b="run-1")])
def test_a_wrong_vote_is_refused_and_not_written(tmp_path, bad):
    r = rating()
    for k, v in bad.items():
        setattr(r, k, v)
    with pytest.raises(RatingError):
        RatingStore(tmp_path).add(r)
    assert RatingStore(tmp_path).list() == []


def test_torn_or_foreign_lines_are_skipped(tmp_path):
    store = RatingStore(tmp_path)
    store.add(rating("b"))
    with open(store.path, "a", encoding="utf-8") as f:
        f.write('{"prompt": "x", "run_a": "r1", "run_b": "r2", "vote": "maybe"}\n')
        f.write('{"prompt": "torn\n\n[1, 2]\n')
    store.add(rating("both_bad"))
    assert [r.vote for r in store.list()] == ["b", "both_bad"]
    assert json.loads(store.path.read_text().splitlines()[0])["vote"] == "b"
