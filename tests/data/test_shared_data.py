"""The real shared datasets (../shared/data) through the whole pipeline; skipped when absent."""
from __future__ import annotations

import pytest

from data_helpers import SHARED
from studio.config import JobConfig
from studio.data.frames import read_table
from studio.data.pipeline import inspect_file, load_job_data


def shared(name: str) -> str:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return str(path)


def test_sst2_train_mixed_line_ends():
    insp = inspect_file(shared("sst2_train.tsv"))
    assert (insp.format, insp.encoding, insp.layout, insp.task) == ("tsv", "utf-8", "table",
                                                                    "classification")
    assert insp.roles == {"text": "sentence", "label": "label"}
    assert len(insp.frame) == 67349                       # every line but the header
    assert set(insp.labels) == {"0", "1"}
    assert insp.rows + len(insp.excluded) == 67349        # nothing lost silently
    assert {e["reason"] for e in insp.excluded} <= {"duplicate"}
    assert not any("\r" in t for t in insp.examples["text"].head(1000))


def test_sst2_dev_other_header():
    insp = inspect_file(shared("sst2_dev.tsv"))
    assert insp.roles == {"text": "content", "label": "label"}
    assert insp.rows == 872 and insp.labels == {"0": 428, "1": 444}


def test_sst2_preview_reads_only_what_it_shows():
    frame, info = read_table(shared("sst2_train.tsv"), nrows=20)
    assert len(frame) == 20 and list(frame.columns) == ["label", "sentence"]
    assert info["delimiter"] == "\t" and "unnamed" not in info


def test_alpaca_demo_is_chat():
    insp = inspect_file(shared("alpaca_en_demo.json"))
    assert (insp.layout, insp.task) == ("alpaca", "chat")
    assert insp.rows + len(insp.excluded) == 999
    first = insp.examples["messages"][0]
    assert [m["role"] for m in first] == ["user", "assistant"]


def test_identity_placeholders_reported():
    insp = inspect_file(shared("identity.json"))
    p = next(p for p in insp.problems if p.kind == "placeholder")
    assert p.action == "warning" and p.count > 0 and "{{name}}" in p.message
    assert insp.rows == 91


def test_load_sst2_with_dev_file():
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_file = shared("sst2_train.tsv"), shared("sst2_dev.tsv")
    cfg.data.max_rows = 5000
    cfg.data.text_column, cfg.data.label_column = "sentence", "label"   # as the UI saves them
    job = load_job_data(cfg)
    assert job.task == "classification" and job.labels == ["0", "1"]
    assert len(job.validation) == 872 - len(job.validation_inspection.excluded)
    assert len(job.train) <= 5000
    assert job.validation_inspection.roles == {"text": "content", "label": "label"}
