"""studio.data.readers: file kinds, limits, Parquet / Excel / Hub readers and read_any."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from data_helpers import fx
from studio.data import readers
from studio.data.frames import read_table
from studio.data.pipeline import inspect_file
from studio.errors import DataError


# ---- file kinds and limits -----------------------------------------------------------------

@pytest.mark.parametrize("head,kind", [
    (b"PAR1\x00", "parquet"), (b"\x89PNG\r\n", "PNG image"), (b"%PDF-1.4", "PDF document"),
    (b"\x1f\x8b\x08", "gzip archive"), (b"SQLite format 3\x00", "SQLite database"),
    (b"label,text\n", "text"), (b"MZ is how this text starts\n", "text"),
    (b"RIFF\x00\x00\x00\x00WAVE", "audio or video file"),
])
def test_sniff_kind_by_magic_bytes(tmp_path, head, kind):
    assert readers.sniff_kind(tmp_path / "x.csv", head) == kind


def test_sniff_kind_tells_xlsx_from_other_zips():
    assert readers.sniff_kind(Path(fx("reviews.xlsx")), b"PK\x03\x04") == "xlsx"
    assert readers.sniff_kind(Path(fx("zip_renamed.csv")), b"PK\x03\x04") == "zip archive"


def test_max_upload_bytes_from_env(monkeypatch):
    monkeypatch.setenv("STUDIO_MAX_UPLOAD_MB", "2")
    assert readers.max_upload_bytes() == 2 * 1024 * 1024
    monkeypatch.setenv("STUDIO_MAX_UPLOAD_MB", "lots")
    assert readers.max_upload_bytes() == readers.DEFAULT_MAX_UPLOAD_MB * 1024 * 1024


def test_size_limit(monkeypatch):
    monkeypatch.setenv("STUDIO_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(DataError) as e:
        read_table(fx("checks.csv"))
    assert e.value.code == "file_too_large" and e.value.params["limit_mb"] == 0.0
    assert "above the upload limit of 0.0 MB" in str(e.value)


@pytest.mark.parametrize("value,shown", [(None, ""), (True, "TRUE"), (3.0, "3"), (2.5, "2.5"),
                                         ("007", "007")])
def test_excel_cells_as_the_user_sees_them(value, shown):
    assert readers.excel_cell(value) == shown


# ---- bad files ------------------------------------------------------------------------------

BAD = [
    ("empty.csv", "empty_file", {}),
    ("blank.csv", "empty_file", {}),
    ("header_only.csv", "header_only", {"columns": ["label", "text"]}),
    ("short_row.csv", "ragged_rows", {"line": 4, "found": 1, "expected": 2}),
    ("bad.json", "bad_json", {"line": 3, "column": 16}),
    ("bad.jsonl", "bad_jsonl", {"line": 3, "column": 10}),
    ("scalar.json", "json_single_value", {}),
    ("zip_renamed.csv", "not_a_table", {"kind": "zip archive"}),
    ("image_renamed.csv", "not_a_table", {"kind": "PNG image"}),
    ("binary.csv", "binary_file", {}),
    ("legacy.xls", "unsupported_file", {"kind": "old Excel (.xls) or Word document"}),
    ("missing.csv", "not_found", {}),
]


@pytest.mark.parametrize("name,code,params", BAD)
def test_bad_files_one_sentence(name, code, params):
    with pytest.raises(DataError) as e:
        inspect_file(fx(name))
    err = e.value
    assert err.code == code
    assert {k: err.params[k] for k in params} == params
    text = str(err)
    assert text.endswith(".") and "\n" not in text and "Traceback" not in text
    assert text.count(". ") == 0 or code in ("binary_file", "not_a_table")     # one sentence


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(DataError) as e:
        read_table(tmp_path)
    assert e.value.code == "not_a_file"


# ---- Excel and Parquet ----------------------------------------------------------------------

def test_xlsx_sheets_and_cells():
    insp = inspect_file(fx("reviews.xlsx"), sheet="Reviews")
    assert insp.sheets == ["Notes", "Reviews"] and insp.format == "xlsx"
    assert insp.columns == ["label", "text"]              # trailing empty column dropped
    assert insp.examples["label"].tolist() == ["pos", "1", "neg", "pos"]
    assert insp.examples["text"].tolist()[3] == "Line\nbreak"
    first = inspect_file(fx("reviews.xlsx"))              # first sheet by default
    assert first.columns == ["column_1"] and first.sheets == ["Notes", "Reviews"]
    with pytest.raises(DataError) as e:
        read_table(fx("reviews.xlsx"), sheet="Nope")
    assert e.value.code == "missing_sheet" and e.value.params["sheets"] == ["Notes", "Reviews"]


def test_xlsx_blank_header_cells_with_data_are_reported_unnamed(tmp_path):
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["label", "text", None])
    ws.append(["pos", "good", None])
    ws.append(["neg", "bad", "really"])
    wb.save(tmp_path / "t.xlsx")
    frame, info = read_table(tmp_path / "t.xlsx")
    assert list(frame.columns) == ["label", "text", "column_3"]
    assert info["unnamed"] == ["column_3"]


def test_parquet_keeps_nested_conversations_as_lists():
    frame, info = read_table(fx("messages.parquet"))
    assert info["format"] == "parquet"
    assert frame["messages"][1] == [{"role": "user", "content": "Ping"},
                                    {"role": "assistant", "content": "Pong"}]


def test_nrows_and_max_rows_stop_early():
    assert len(read_table(fx("basic.csv"), nrows=2)[0]) == 2
    assert len(read_table(fx("table.parquet"), nrows=2)[0]) == 2
    assert len(read_table(fx("records.jsonl"), nrows=1)[0]) == 1
    assert len(read_table(fx("reviews.xlsx"), sheet="Reviews", max_rows=3)[0]) == 3
    assert inspect_file(fx("checks.csv"), max_rows=4).rows == 4
    # a preview stops before a broken row further down; the full read reports it
    assert len(read_table(fx("short_row.csv"), nrows=2)[0]) == 2


def test_wrong_extensions_read_by_content(tmp_path):
    shutil.copy(fx("array.json"), tmp_path / "array.csv")
    shutil.copy(fx("reviews.xlsx"), tmp_path / "reviews.csv")
    shutil.copy(fx("table.parquet"), tmp_path / "table.csv")
    shutil.copy(fx("basic.csv"), tmp_path / "basic.xlsx")
    assert read_table(tmp_path / "array.csv")[1]["format"] == "json"
    assert read_table(tmp_path / "reviews.csv", sheet="Reviews")[1]["format"] == "xlsx"
    assert read_table(tmp_path / "table.csv")[1]["format"] == "parquet"
    frame, info = read_table(tmp_path / "basic.xlsx")
    assert info["format"] == "csv" and len(frame) == 4


# ---- Hugging Face datasets ------------------------------------------------------------------

def test_hf_dataset_offline_fails_fast():
    start = time.perf_counter()
    with pytest.raises(DataError) as e:
        inspect_file("hf:stanfordnlp/sst2@train")
    assert e.value.code == "offline_dataset" and e.value.params["dataset"] == "stanfordnlp/sst2"
    assert time.perf_counter() - start < 2
    with pytest.raises(DataError) as e:
        read_table("hf:")
    assert e.value.code == "bad_dataset_id"


def test_hub_unreachable_fails_fast(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(readers, "hub_reachable", lambda timeout=3.0: False)
    with pytest.raises(DataError) as e:
        read_table("hf:owner/name:config@validation")
    assert e.value.code == "offline_dataset" and e.value.params["dataset"] == "owner/name"


def test_hf_dataset_read_when_online(monkeypatch):
    import datasets

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(readers, "hub_reachable", lambda timeout=3.0: True)
    calls = []
    ds = datasets.Dataset.from_dict({"sentence": ["good", "bad", "fine"], "label": [1, 0, 1]})

    def fake_load(name, config=None, split=None, streaming=False):
        calls.append((name, config, split, streaming))
        return ds.to_iterable_dataset() if streaming else ds

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    insp = inspect_file("hf:glue:sst2@validation")
    assert calls[-1] == ("glue", "sst2", "validation", False)
    assert (insp.format, insp.roles, insp.rows) == ("hf", {"text": "sentence", "label": "label"}, 3)
    frame, _ = read_table("hf:owner/name", nrows=2)
    assert calls[-1] == ("owner/name", None, "train", True) and len(frame) == 2
