"""studio.data.splits: the validation hold-out, stratified and deterministic."""
from __future__ import annotations

import pandas as pd

from studio.data.splits import _allocate, split_validation


def _examples(labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"text": [f"t{i}" for i in range(len(labels))], "label": labels,
                         "_row": range(1, len(labels) + 1)})


def test_split_stratified_deterministic_order_kept():
    ex = _examples(["a"] * 50 + ["b"] * 30 + ["c"] * 19 + ["d"])
    train, val = split_validation(ex, 0.2, seed=7, task="classification")
    assert len(val) == 20 and len(train) == 80
    assert val["label"].value_counts().to_dict() == {"a": 10, "b": 6, "c": 4}
    assert "d" in set(train["label"])                  # too rare to split: stays in train
    assert train["_row"].is_monotonic_increasing and val["_row"].is_monotonic_increasing
    again = split_validation(ex, 0.2, seed=7, task="classification")[1]
    assert again["_row"].tolist() == val["_row"].tolist()
    other = split_validation(ex, 0.2, seed=8, task="classification")[1]
    assert other["_row"].tolist() != val["_row"].tolist()
    assert sorted(train["_row"].tolist() + val["_row"].tolist()) == list(range(1, 101))


def test_split_generation_and_edge_cases():
    ex = pd.DataFrame({"prompt": list("abcdefghij"), "response": list("ABCDEFGHIJ"),
                       "_row": range(1, 11)})
    train, val = split_validation(ex, 0.3, seed=1, task="text2text")
    assert (len(train), len(val)) == (7, 3)
    assert split_validation(ex, 0.0, 1, "text2text")[1].empty
    assert len(split_validation(ex.head(1), 0.5, 1, "text2text")[0]) == 1
    assert len(split_validation(ex.head(2), 0.9, 1, "text2text")[0]) == 1   # one stays


def test_allocate_keeps_one_row_per_class_in_training():
    assert _allocate({"a": 2, "b": 2}, 0.5) == {"a": 1, "b": 1}
    assert _allocate({"a": 1, "b": 10}, 0.5) == {"b": 5}
    assert _allocate({"a": 1}, 0.5) == {}
    quota = _allocate({"a": 7, "b": 3, "c": 3}, 0.25)
    assert sum(quota.values()) == 3 and all(quota[k] < n for k, n in
                                            {"a": 7, "b": 3, "c": 3}.items())
