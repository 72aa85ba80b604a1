"""studio.data.checks: the row checks (duplicates, conflicts, blanks, placeholders, keys), on
their own and as inspect_file applies them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from data_helpers import excluded, fx, kinds
from studio.data import checks
from studio.data.pipeline import inspect_file


def test_row_hashes_equal_rows_equal_hashes():
    frame = pd.DataFrame({"a": ["x", "y", "x"], "b": ["1", "1", "1"]})
    h = checks.row_hashes(frame)
    assert h[0] == h[2] != h[1]


def test_duplicate_rows_among_live_rows_only():
    keys = pd.DataFrame({"t": ["a", "b", "a", "a"]})
    assert checks.duplicate_rows(keys, np.ones(4, bool)).tolist() == [False, False, True, True]
    live = np.array([False, True, True, True])          # row 1 already excluded
    assert checks.duplicate_rows(keys, live).tolist() == [False, False, False, True]


def test_conflicting_rows():
    text = checks.row_hashes(pd.DataFrame({"t": ["a", "a", "b", "c", "c"]}))
    labels = np.array([0, 1, 0, 1, 1])
    assert checks.conflicting_rows(text, labels, np.ones(5, bool)).tolist() == \
        [True, True, False, False, False]


def test_blank_and_placeholders():
    s = pd.Series(["x", "", "  \t", "Hi {{ name }}", "{not one}"])
    assert checks.blank(s).tolist() == [False, True, True, False, False]
    mask, example = checks.placeholder_rows([s])
    assert mask.tolist() == [False, False, False, True, False] and example == "{{ name }}"


def test_keys_in_and_example_keys():
    train = pd.DataFrame({"prompt": ["a", "b"], "response": ["1", "2"]})
    val = pd.DataFrame({"prompt": ["b", "c"], "response": ["x", "y"]})
    hit = checks.keys_in(checks.example_keys(val, "text2text"),
                         checks.example_keys(train, "text2text"))
    assert hit.tolist() == [True, False]
    chat = pd.DataFrame({"messages": [[{"role": "user", "content": "q"},
                                       {"role": "assistant", "content": "a"}]]})
    assert checks.example_keys(chat, "chat")[0] == '[{"role": "user", "content": "q"}]'


def test_too_long_and_rare_classes():
    over, p = checks.too_long(np.array([3, 9, 10]), 8, np.array([1, 2, 3]), None)
    assert over.tolist() == [False, True, True] and (p.count, p.rows) == (2, [2, 3])
    assert checks.too_long(np.array([1]), 8, np.array([1]), None)[1] is None
    assert checks.rare_classes(pd.Series(["a", "a", "b"])) == ["b"]


# ---- as inspect_file applies them -----------------------------------------------------------

def test_checks_default_actions():
    insp = inspect_file(fx("checks.csv"))
    assert excluded(insp) == [(5, "empty_text"), (6, "missing_label"), (7, "duplicate")]
    assert kinds(insp) == {
        "label_whitespace": ("fixed", 1, [3]), "label_case": ("fixed", 1, [4]),
        "missing_label": ("excluded", 1, [6]), "empty_text": ("excluded", 1, [5]),
        "duplicate": ("excluded", 1, [7]), "conflicting_label": ("warning", 2, [1, 8]),
        "placeholder": ("warning", 1, [9]), "rare_class": ("warning", 1, [10])}
    assert insp.labels == {"negative": 4, "neutral": 1, "positive": 4}
    assert insp.examples["_row"].tolist() == [1, 2, 3, 4, 8, 9, 10, 11, 12]
    assert insp.excluded[1]["data"] == {"label": "", "text": "no label here"}
    for p in insp.problems:
        assert p.message.endswith(".") and str(p.count) in p.message


def test_checks_user_choices():
    insp = inspect_file(fx("checks.csv"), fixes={"label_case": "keep", "duplicate": "keep",
                                                 "conflicting_label": "exclude",
                                                 "label_whitespace": "keep",
                                                 "placeholder": "exclude"})
    assert insp.labels == {"Positive": 1, "negative": 2, "neutral": 1, "positive": 1,
                           "positive ": 1}
    assert excluded(insp) == [(1, "conflicting_label"), (5, "empty_text"), (6, "missing_label"),
                              (7, "conflicting_label"), (8, "conflicting_label"),
                              (9, "placeholder")]
    k = kinds(insp)
    assert k["label_case"][0] == "warning" and k["duplicate"] == ("warning", 1, [7])
    rare = inspect_file(fx("checks.csv"), fixes={"rare_class": "exclude"})
    assert (10, "rare_class") in excluded(rare) and "neutral" not in rare.labels


def test_single_class_blocks():
    insp = inspect_file(fx("single_class.csv"))
    assert kinds(insp)["single_class"] == ("blocking", 3, [1, 2, 3])
    assert insp.blocking[0].params == {"label": "spam"}
