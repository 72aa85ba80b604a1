"""Property tests: random tables written by each writer come back from read_table unchanged
(studio.data.readers and the text readers behind it)."""
from __future__ import annotations

import csv
import json
import string
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from studio.data.frames import read_table

# Random unicode (no surrogates or control characters) plus the characters that break naive
# readers: delimiters, quotes, newlines, spaces. Not U+FFFD: the decoder's mark for a byte that
# did not decode, which the reader counts as evidence of a binary file (readers._control_heavy).
TRICKY = list(',;\t|"\'\n\r ') + ["é", "你", "😀", "\u00a0", "\u2028"]
CELL = st.text(st.one_of(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn"),
                                       blacklist_characters="\ufffd"),
                         st.sampled_from(TRICKY)), max_size=10)
NAME = st.text(string.ascii_letters + "_", min_size=1, max_size=8)


@st.composite
def tables(draw, cell=CELL):
    width = draw(st.integers(1, 4))
    names = draw(st.lists(NAME, min_size=width, max_size=width, unique_by=str.lower))
    row = st.lists(cell, min_size=width, max_size=width).filter(lambda r: any(c != "" for c in r))
    rows = draw(st.lists(row, min_size=1, max_size=6))
    return names, rows


def write_delimited(path: Path, names, rows, delimiter: str, encoding="utf-8") -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(names)
        w.writerows(rows)


def write_json(path, names, rows):
    path.write_text(json.dumps([dict(zip(names, r)) for r in rows], ensure_ascii=False),
                    encoding="utf-8")


def write_jsonl(path, names, rows):
    path.write_text("".join(json.dumps(dict(zip(names, r)), ensure_ascii=False) + "\n"
                            for r in rows), encoding="utf-8")


def write_parquet(path, names, rows):
    pd.DataFrame(rows, columns=names, dtype=object).to_parquet(path)


def write_xlsx(path, names, rows):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(names)
    for r in rows:
        ws.append(r)
        for cell in ws[ws.max_row]:
            cell.data_type = "s"          # keep "=1+1" and "007" as the text they are
    wb.save(path)


WRITERS = {
    "csv": lambda p, n, r: write_delimited(p, n, r, ","),
    "tsv": lambda p, n, r: write_delimited(p, n, r, "\t"),
    "json": write_json,
    "jsonl": write_jsonl,
    "parquet": write_parquet,
}

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def roundtrip(fmt: str, names, rows, writer) -> tuple[pd.DataFrame, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"data.{fmt}"
        writer(path, names, rows)
        return read_table(path, header=True)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.heavy
def test_roundtrip(fmt):
    @SETTINGS
    @given(tables())
    def check(table):
        names, rows = table
        frame, info = roundtrip(fmt, names, rows, WRITERS[fmt])
        assert info["format"] == fmt
        assert list(frame.columns) == names
        assert frame.astype(object).values.tolist() == rows

    check()


# Excel stores text as XML: line breaks come back as "\n" and control characters cannot be
# stored at all, so its cells draw from printable text plus "\n" and "\t".
XLSX_CELL = st.text(st.one_of(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")),
                              st.sampled_from(list(',;\t|"\'\n =+') + ["é", "你"])),
                    max_size=10)


def test_roundtrip_xlsx():
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(tables(XLSX_CELL))
    def check(table):
        names, rows = table
        frame, info = roundtrip("xlsx", names, rows, write_xlsx)
        assert info["format"] == "xlsx"
        assert list(frame.columns) == names
        assert frame.astype(object).values.tolist() == rows

    check()


@pytest.mark.parametrize("encoding,expected", [("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")])
def test_roundtrip_encodings_detected(encoding, expected):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(tables())
    def check(table):
        names, rows = table
        frame, info = roundtrip("csv", names, rows,
                                lambda p, n, r: write_delimited(p, n, r, ",", encoding))
        assert info["encoding"] == expected
        assert frame.astype(object).values.tolist() == rows

    check()


def test_roundtrip_delimiters_sniffed():
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(tables(), st.sampled_from([";", "|", "\t"]))
    def check(table, delimiter):
        names, rows = table
        assume(len(names) >= 2)         # one column has no delimiter to find
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.txt"
            # quote every cell so that the sample is unambiguous, as Excel does for odd cells
            with open(path, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, delimiter=delimiter, quoting=csv.QUOTE_ALL)
                w.writerow(names)
                w.writerows(rows)
            frame, info = read_table(path, header=True)
        assert info["delimiter"] == delimiter
        assert frame.astype(object).values.tolist() == rows

    check()
