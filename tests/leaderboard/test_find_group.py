"""The leaderboard's grouping is the engine's: the page's group dropdown and Compare's best
two both name a group by Group.key and find it with find_group."""
from __future__ import annotations

from studio.leaderboard import Group, find_group


def test_a_group_is_found_by_its_key_else_the_newest_one():
    newest, older = Group("fp1", "chat", "a.json", "chrf"), Group("fp2", "classification",
                                                                 "b.csv", "accuracy")
    groups = [newest, older]
    assert older.key == "fp2|classification"
    assert find_group(groups, "fp2|classification") is older
    assert find_group(groups, "gone|chat") is newest and find_group(groups, None) is newest
    assert find_group([], "fp1|chat") is None
