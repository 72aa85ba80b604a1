"""studio.data.label_checks: label spellings made consistent (or kept, as the user chooses)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from data_helpers import fx, kinds
from studio.data.label_checks import clean_labels
from studio.data.pipeline import inspect_file


def clean(values, fixes=None):
    raw = pd.Series(values, dtype=object)
    return clean_labels(raw, np.arange(1, len(raw) + 1), fixes)


def test_whitespace_case_and_missing():
    labels, missing, problems = clean(["pos", "pos ", "Pos", "neg", None, "  ", "pos"])
    assert labels.tolist() == ["pos", "pos", "pos", "neg", "", "", "pos"]
    assert missing.tolist() == [False, False, False, False, True, True, False]
    found = {p.kind: (p.action, p.count, p.rows) for p in problems}
    assert found == {"label_whitespace": ("fixed", 1, [2]), "label_case": ("fixed", 1, [3]),
                     "missing_label": ("excluded", 2, [5, 6])}


def test_kept_when_chosen():
    labels, _, problems = clean(["pos", "pos ", "Pos"], {"label_whitespace": "keep",
                                                         "label_case": "keep"})
    assert labels.tolist() == ["pos", "pos ", "Pos"]
    assert {p.kind: p.action for p in problems} == {"label_whitespace": "warning",
                                                    "label_case": "warning"}


def test_numbers_as_numbers_text_or_floats():
    labels, _, problems = clean([1, "1", 0, "0.0"])
    assert labels.tolist() == ["1", "1", "0", "0"]
    (p,) = problems
    assert (p.kind, p.action, p.count, p.rows) == ("numeric_label_text", "fixed", 2, [2, 4])
    labels, _, _ = clean(["01", "1", "2"])         # all text, "01" is another spelling of 1
    assert labels.tolist() == ["1", "1", "2"]


def test_case_variants_merge_into_the_most_frequent_spelling():
    labels, _, problems = clean(["Spam", "spam", "spam", "ham"])
    assert labels.tolist() == ["spam", "spam", "spam", "ham"]
    assert problems[0].params == {"example": "'Spam' vs 'spam'"}


def test_numeric_labels_made_consistent_in_a_file():
    insp = inspect_file(fx("numeric_labels.json"))
    assert insp.task == "classification"
    assert insp.examples["label"].tolist() == ["1", "1", "0", "0", "1"]
    assert kinds(insp)["numeric_label_text"] == ("fixed", 3, [2, 3, 5])
    kept = inspect_file(fx("numeric_labels.json"), fixes={"numeric_label_text": "keep"})
    assert kept.labels == {"0": 2, "1": 2, "1.0": 1}
