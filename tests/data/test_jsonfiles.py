"""studio.data.jsonfiles: JSON arrays, wrapped records, column dicts and JSON Lines."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_helpers import fx
from studio.data import jsonfiles
from studio.data.frames import read_table
from studio.data.pipeline import inspect_file
from studio.errors import DataError


def write(tmp_path, name, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1),
                    encoding="utf-8")
    return path


def test_array_and_wrapped_records():
    frame, info = jsonfiles.read_json(Path(fx("array.json")), "utf-8", 0)
    assert info == {"format": "json"} and list(frame.columns) == ["text", "label"]
    assert len(frame) == 3
    frame, _ = jsonfiles.read_json(Path(fx("wrapped.json")), "utf-8", 0)
    assert len(frame) == 2


def test_column_dict_and_list_rows(tmp_path):
    frame, _ = jsonfiles.read_json(write(tmp_path, "c.json", {"text": ["a", "b"],
                                                              "label": [1, 0]}), "utf-8", 0)
    assert frame.to_dict("records") == [{"text": "a", "label": 1}, {"text": "b", "label": 0}]
    frame, _ = jsonfiles.read_json(write(tmp_path, "l.json", [["a", 1], ["b"]]), "utf-8", 0)
    assert list(frame.columns) == ["column_1", "column_2"]
    assert frame.values.tolist() == [["a", 1], ["b", None]]


def test_records_keep_native_values_and_key_order(tmp_path):
    rows = [{"b": 1, "msgs": [{"role": "user"}]}, {"a": None, "b": 2}]
    frame, _ = jsonfiles.read_json(write(tmp_path, "n.json", rows), "utf-8", 0)
    assert list(frame.columns) == ["b", "msgs", "a"]
    assert frame["msgs"][0] == [{"role": "user"}] and frame["b"].tolist() == [1, 2]


def test_one_object_on_one_line_is_one_record(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"text": ["a", "b"], "label": [1, 0]}))
    frame, info = jsonfiles.read_json(path, "utf-8", 0)
    assert info["format"] == "jsonl" and frame["text"][0] == ["a", "b"]


def test_jsonl_and_limit():
    records = jsonfiles.read_jsonl(Path(fx("records.jsonl")), "utf-8", 1)
    assert len(records) == 1 and set(records[0]) == {"prompt", "completion"}


def test_single_line_json_record_or_wrapper(tmp_path):
    record = write(tmp_path, "one.json", json.dumps(
        {"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}]}))
    assert inspect_file(record).rows == 1
    wrapper = write(tmp_path, "wrapped.json", json.dumps({"data": [{"text": "a", "label": 1},
                                                                   {"text": "b", "label": 0}]}))
    frame, info = read_table(wrapper)
    assert info["format"] == "json" and len(frame) == 2


@pytest.mark.parametrize("name,data,code,params", [
    ("scalar.json", '"just text"', "json_single_value", {}),
    ("obj.json", {"a": 1, "b": 2}, "bad_json_shape", {}),
    ("mixed.json", [{"a": 1}, 3], "json_record_not_object", {"record": 2, "kind": "int"}),
    ("empty.json", [], "no_records", {}),
    ("line.jsonl", '{"a": 1}\n[1, 2]\n', "jsonl_not_object", {"line": 2, "kind": "list"}),
])
def test_bad_shapes_name_what_is_wrong(tmp_path, name, data, code, params):
    with pytest.raises(DataError) as e:
        jsonfiles.read_json(write(tmp_path, name, data), "utf-8", 0)
    assert e.value.code == code
    assert {k: e.value.params[k] for k in params} == params
