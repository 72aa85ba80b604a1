"""studio.data.pipeline: the flow read -> spill -> layout -> roles -> normalise -> split, each
stage once per file, and what inspect_file / load_job_data hand back."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from data_helpers import fx
from studio.config import JobConfig
from studio.data import frames, layouts, pipeline
from studio.data.pipeline import (ROLE_FIELDS, inspect_file, load_job_data, roles_from_config,
                                  roles_to_config)
from studio.errors import DataError

TABLES = [
    # file, format, encoding, columns, roles, task, rows
    ("basic.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 4),
    ("semicolon.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("no_header.tsv", "tsv", "utf-8", ["column_1", "column_2"],
     {"text": "column_2", "label": "column_1"}, "classification", 4),
    ("trailing_columns.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("blank_lines.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("excel_sep.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("mixed_endings.tsv", "tsv", "utf-8", ["label", "sentence"],
     {"text": "sentence", "label": "label"}, "classification", 4),
    ("pairs.txt", "txt", "utf-8", ["column_1", "column_2"],
     {"prompt": "column_1", "response": "column_2"}, "text2text", 4),
    ("qa_any_names.csv", "csv", "utf-8", ["frage", "antwort"],
     {"prompt": "frage", "response": "antwort"}, "text2text", 3),
    ("source_target.csv", "csv", "utf-8", ["source", "target"],
     {"prompt": "source", "response": "target"}, "text2text", 3),
    ("table.parquet", "parquet", "", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("utf8_bom.csv", "csv", "utf-8-sig", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 2),
    ("utf16.tsv", "tsv", "utf-16", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 2),
    ("gbk.csv", "csv", "gb18030", ["标签", "文本"], {"text": "文本", "label": "标签"},
     "classification", 3),
    ("cp1252.csv", "csv", "cp1252", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("array.json", "json", "utf-8", ["text", "label"], {"text": "text", "label": "label"},
     "classification", 3),
    ("wrapped.json", "json", "utf-8", ["text", "label"], {"text": "text", "label": "label"},
     "classification", 2),
    ("records.jsonl", "jsonl", "utf-8", ["prompt", "completion"],
     {"prompt": "prompt", "response": "completion"}, "text2text", 2),
]


@pytest.mark.parametrize("name,fmt,enc,columns,roles,task,rows", TABLES)
def test_tables_read_exactly(name, fmt, enc, columns, roles, task, rows):
    insp = inspect_file(fx(name))
    assert (insp.format, insp.encoding, insp.columns) == (fmt, enc, columns)
    assert insp.roles == roles
    assert insp.task == task
    assert insp.rows == rows == len(insp.examples)
    assert insp.excluded == []
    assert list(insp.examples["_row"]) == list(range(1, rows + 1))
    json.dumps(insp.to_dict())          # the UI and the CLI get plain JSON


def test_to_dict_is_plain_json():
    d = inspect_file(fx("messages.parquet")).to_dict()
    again = json.loads(json.dumps(d))
    assert again["preview"][1]["messages"][0] == {"role": "user", "content": "Ping"}
    assert set(again) >= {"path", "format", "encoding", "layout", "columns", "roles", "task",
                          "labels", "rows", "excluded", "problems", "sheets", "preview"}
    assert "frame" not in again and "examples" not in again


# ---- each stage once ------------------------------------------------------------------------

@pytest.fixture
def calls(monkeypatch):
    """Count the calls of every stage, and of the chat-layout detection inside the layout
    stage (it parses cells, the costly part)."""
    counter = Counter()

    def counted(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            counter[name] += 1
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, wrapper)

    for name in ("read_table", "rejoin_spilled", "detect_layout", "resolve_roles", "normalise",
                 "split_validation"):
        counted(pipeline, name)
    counted(layouts, "detect_chat_layout")
    counted(layouts, "find_messages_column")
    frames.FRAMES.clear()
    return counter


@pytest.mark.parametrize("name,roles", [("sharegpt.json", None), ("messages.jsonl", None),
                                        ("alpaca.json", {"prompt": "instruction"}),
                                        ("sharegpt.json", {"messages": "conversations"}),
                                        ("checks.csv", {"text": "text"}), ("spilled.csv", None)])
def test_each_stage_runs_once_per_inspection(calls, name, roles):
    inspect_file(fx(name), roles=roles)
    assert calls == Counter({"read_table": 1, "rejoin_spilled": 1, "detect_layout": 1,
                             "detect_chat_layout": 1, "find_messages_column": 1,
                             "resolve_roles": 1, "normalise": 1})


def test_once_per_file_with_a_validation_file_and_in_a_job(calls):
    inspect_file(fx("checks.csv"), validation_path=fx("checks_val.csv"))
    assert calls["read_table"] == calls["detect_chat_layout"] == calls["normalise"] == 2
    calls.clear()
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_file = fx("checks.csv"), fx("checks_val.csv")
    cfg.data.text_column = "text"
    load_job_data(cfg)
    assert calls["read_table"] == calls["detect_chat_layout"] == calls["resolve_roles"] == 2
    calls.clear()
    cfg.data.validation_file = ""
    load_job_data(cfg)
    assert calls["detect_chat_layout"] == calls["split_validation"] == 1


def test_a_role_change_does_not_read_the_file_again(monkeypatch):
    reads = []
    real = frames.read_any
    monkeypatch.setattr(frames, "read_any",
                        lambda path, **kw: reads.append(str(path)) or real(path, **kw))
    frames.FRAMES.clear()
    first = inspect_file(fx("checks.csv"))
    second = inspect_file(fx("checks.csv"), roles={"text": "label", "label": "text"})
    third = inspect_file(fx("checks.csv"), task="text2text", unnamed_columns="exclude")
    assert len(reads) == 1
    assert first.roles == {"text": "text", "label": "label"}
    assert second.roles == {"text": "label", "label": "text"}
    assert third.task == "text2text" and third.roles == first.roles
    frames.FRAMES.clear()


# ---- loading a job --------------------------------------------------------------------------

def test_load_job_data_overrides_task_and_max_rows():
    cfg = JobConfig()
    cfg.data.train_file = fx("no_header.tsv")
    cfg.data.text_column, cfg.data.label_column = "column_2", "column_1"
    cfg.data.max_rows, cfg.data.validation_fraction = 4, 0.5
    job = load_job_data(cfg)
    assert job.labels == ["0", "1"] and len(job.train) == 2 and len(job.validation) == 2
    assert set(job.validation["label"]) == {"0", "1"}
    cfg = JobConfig()
    cfg.data.train_file, cfg.task = fx("alpaca.json"), "text2text"
    job = load_job_data(cfg)
    assert list(job.train.columns) == ["prompt", "response", "_row"] and job.labels == []


def test_load_job_data_refuses_what_blocks(tmp_path):
    cfg = JobConfig()
    with pytest.raises(DataError) as e:
        load_job_data(cfg)
    assert e.value.code == "no_file"
    cfg.data.train_file = fx("single_class.csv")
    with pytest.raises(DataError) as e:
        load_job_data(cfg)
    assert e.value.code == "single_class" and "spam" in str(e.value)
    path = tmp_path / "predict.csv"
    path.write_text("text\nfirst review\nsecond review\n")
    cfg.data.train_file = str(path)
    with pytest.raises(DataError) as e:
        load_job_data(cfg)
    assert e.value.code == "missing_column" and e.value.params["role"] == "label"


def test_validation_file_with_other_column_names(tmp_path):
    val = tmp_path / "val.csv"
    val.write_text("label,content\npositive,fresh words\nnegative,other words\n")
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_file = fx("checks.csv"), str(val)
    cfg.data.text_column, cfg.data.label_column = "text", "label"
    job = load_job_data(cfg)
    assert job.validation["text"].tolist() == ["fresh words", "other words"]
    assert job.validation_inspection.roles == {"text": "content", "label": "label"}


def test_role_table_round_trips_through_the_job_config():
    cfg = JobConfig()
    roles_to_config(cfg.data, {"text": "review", "system": "sys", "input": "ignored",
                               "label": ""})
    assert (cfg.data.text_column, cfg.data.system_column, cfg.data.label_column) == \
        ("review", "sys", "")
    assert roles_from_config(cfg.data) == {"text": "review", "system": "sys"}
    assert all(hasattr(cfg.data, f) for f in ROLE_FIELDS.values())
