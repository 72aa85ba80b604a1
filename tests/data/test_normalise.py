"""studio.data.normalise: the task's example columns from a frame and its roles, with every
unusable row listed with its reason."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from data_helpers import excluded, fx, kinds
from studio.data.normalise import (excluded_rows, jsonable, label_counts, normalise, sort_labels,
                                   text_column)
from studio.data.pipeline import inspect_file


def test_classification_columns_and_row_numbers():
    frame = pd.DataFrame({"t": ["a", "  ", "c"], "y": [1, 0, 1.0]})
    examples, excl, problems = normalise(frame, "table", {"text": "t", "label": "y"},
                                         "classification")
    assert examples.to_dict("records") == [{"text": "a", "label": "1", "_row": 1},
                                           {"text": "c", "label": "1", "_row": 3}]
    assert [(e["row"], e["reason"], e["data"]) for e in excl] == \
        [(2, "empty_text", {"t": "  ", "y": 0})]
    assert [p.kind for p in problems] == ["empty_text", "single_class"]


def test_normalise_text_pair():
    frame = pd.DataFrame({"sentence1": ["a", "b"], "sentence2": ["c", "d"], "label": ["x", "y"]})
    roles = {"text": "sentence1", "text_pair": "sentence2", "label": "label"}
    examples, excl, problems = normalise(frame, "table", roles, "classification")
    assert list(examples.columns) == ["text", "text_pair", "label", "_row"] and excl == []
    assert examples["text_pair"].tolist() == ["c", "d"]


def test_generation_pairs_and_chat():
    frame = pd.DataFrame({"q": ["hi", "bye"], "a": ["hello", "see you"]})
    t2t, _, _ = normalise(frame, "pairs", {"prompt": "q", "response": "a"}, "text2text")
    assert t2t[["prompt", "response"]].values.tolist() == [["hi", "hello"], ["bye", "see you"]]
    chat, _, _ = normalise(frame, "pairs", {"prompt": "q", "response": "a"}, "chat",
                           system_prompt="Be short.")
    assert chat["messages"][1] == [{"role": "system", "content": "Be short."},
                                   {"role": "user", "content": "bye"},
                                   {"role": "assistant", "content": "see you"}]


def test_a_lone_text_column_is_the_prompt_of_a_generation_task():
    frame = pd.DataFrame({"text": ["one", "two"], "summary": ["1", "2"]})
    examples, _, _ = normalise(frame, "pairs", {"text": "text", "response": "summary"},
                               "text2text")
    assert examples["prompt"].tolist() == ["one", "two"]


def test_rows_excluded_before_take_no_part_in_checks():
    frame = pd.DataFrame({"t": ["same", "same", "other", "x"], "y": ["a", "a", "b", "b"]})
    before = pd.Series([None, None, "unnamed_columns", None], dtype=object)
    examples, excl, problems = normalise(frame, "table", {"text": "t", "label": "y"},
                                         "classification", excluded_before=before)
    assert [(e["row"], e["reason"]) for e in excl] == [(2, "duplicate"), (3, "unnamed_columns")]
    assert examples["_row"].tolist() == [1, 4]
    before = pd.Series(["unnamed_columns", None, None, None], dtype=object)
    _, excl, _ = normalise(frame, "table", {"text": "t", "label": "y"}, "classification",
                           excluded_before=before)
    assert [(e["row"], e["reason"]) for e in excl] == [(1, "unnamed_columns")]   # 2 is no dup


def test_missing_role_is_blocking_problem():
    insp = inspect_file(fx("pairs.txt"), task="classification")
    assert kinds(insp)["missing_column"][0] == "blocking"
    assert insp.examples["text"].tolist() == ["Go.", "Hi.", "Run!", "Who?"]   # inputs only
    assert inspect_file(fx("messages.jsonl"), task="classification").rows == 0


def test_unlabelled_file_gives_inputs_for_prediction(tmp_path):
    path = tmp_path / "predict.csv"
    path.write_text("text\nfirst review\n\"  \"\nsecond review\n")
    insp = inspect_file(path, task="classification")
    assert insp.examples["text"].tolist() == ["first review", "second review"]
    assert insp.examples["_row"].tolist() == [1, 3] and excluded(insp) == [(2, "empty_text")]
    assert kinds(insp)["missing_column"][0] == "blocking"
    chat = inspect_file(path, task="chat", system_prompt="Be nice.")
    assert chat.examples["messages"][0] == [{"role": "system", "content": "Be nice."},
                                            {"role": "user", "content": "first review"}]
    t2t = inspect_file(path, task="text2text")
    assert t2t.examples[["prompt", "response"]].values.tolist()[1] == ["second review", ""]


def test_no_usable_rows_blocks():
    frame = pd.DataFrame({"t": ["", " "], "y": ["a", "b"]})
    _, _, problems = normalise(frame, "table", {"text": "t", "label": "y"}, "classification")
    assert [(p.kind, p.action) for p in problems][-1] == ("no_rows", "blocking")


def test_text_column_cells_as_strings():
    assert text_column(pd.Series([1.0, None, "x", [1, "é"], float("nan")], dtype=object)) \
        .tolist() == ["1", "", "x", '[1, "é"]', ""]


def test_excluded_rows_list_the_raw_record():
    frame = pd.DataFrame({"a": [1, 2], "b": [float("nan"), "x"]})
    reasons = pd.Series([None, "duplicate"], dtype=object)
    assert excluded_rows(frame, reasons) == [{"row": 2, "reason": "duplicate",
                                              "data": {"a": 2, "b": "x"}}]
    assert excluded_rows(frame, pd.Series([None, None], dtype=object)) == []


def test_jsonable_plain_types():
    value = {"n": np.int64(3), "f": float("nan"), "arr": np.array([1.5]), "b": b"hi",
             "na": pd.NA, "t": pd.Timestamp("2024-01-02")}
    out = jsonable(value)
    assert out == {"n": 3, "f": None, "arr": [1.5], "b": "hi", "na": None,
                   "t": "2024-01-02T00:00:00"}
    json.dumps(out)
    assert not any(isinstance(v, float) and math.isnan(v) for v in out.values())


def test_label_counts_and_order():
    ex = pd.DataFrame({"label": ["10", "2", "2", "1"]})
    assert label_counts(ex, "classification") == {"1": 1, "2": 2, "10": 1}
    assert label_counts(ex, "chat") == {}
    assert sort_labels(["b", "A", "a"]) == ["A", "a", "b"]
