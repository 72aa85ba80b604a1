"""studio.data.delimited: delimiter and header sniffing, column names, reading every cell."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from data_helpers import fx
from studio.data import delimited
from studio.data.frames import read_table


# ---- sniffing -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,suffix,expected", [
    ("a,b\n1,2\n3,4\n", ".csv", ","),
    ("a;b\n1;2,5\n3;4\n", ".csv", ";"),          # the comma is inside a value, not a delimiter
    ("a\tb\n1\t2\n", ".txt", "\t"),
    ("a|b|c\n1|2|3\n", ".csv", "|"),
    ("anything, at all\n", ".tsv", "\t"),         # the extension decides for .tsv
])
def test_sniff_delimiter(text, suffix, expected):
    assert delimited.sniff_delimiter(text, True, suffix) == expected


@pytest.mark.parametrize("rows,expected", [
    ([["label", "text"], ["1", "good"]], True),                      # known column names
    ([["score", "words"], ["1", "good"], ["0", "bad"]], True),       # numeric column, named
    ([["0", "hide new secretions"], ["1", "a smile"]], False),       # numbers are not names
    ([["positive", "great"], ["positive", "fine"]], False),          # a value that repeats
    ([], False),
])
def test_looks_like_header(rows, expected):
    assert delimited.looks_like_header(rows) is expected


def test_column_names_unique_and_filled():
    assert delimited.column_names(["a", "", "a", " b "], True) == ["a", "column_2", "a_2", "b"]
    assert delimited.column_names(["x", "y"], False) == ["column_1", "column_2"]


def test_sample_rows_drops_a_cut_off_last_row():
    text = "a,b\n1,2\n3,\"unfinished"
    assert delimited.sample_rows(text, ",", whole=False) == [["a", "b"], ["1", "2"]]
    assert len(delimited.sample_rows("a,b\n1,2\n", ",", whole=True)) == 2


def test_drop_empty_unnamed_keeps_named_and_filled_columns():
    frame = pd.DataFrame({"label": ["1", "0"], "text": ["a", "b"], "column_3": ["", ""],
                          "column_4": ["", "x"]})
    kept = delimited.drop_empty_unnamed(frame, ["label", "text", "", ""])
    assert list(kept.columns) == ["label", "text", "column_4"]


# ---- reading --------------------------------------------------------------------------------

def test_quoted_newlines_delimiters_and_quotes():
    frame, info = read_table(fx("basic.csv"))
    assert frame["text"].tolist() == ["Great film, would watch again",
                                      'Line one\r\nline two, with "quotes"', "Fine",
                                      "Dull and slow"]
    assert info["delimiter"] == "," and info["header"] is True
    assert "unnamed" not in info and "padded" not in info


def test_blank_and_whitespace_lines_are_not_rows():
    frame, _ = read_table(fx("blank_lines.csv"))
    assert frame["text"].tolist() == ["first", "second", "third"]
    frame, info = read_table(fx("excel_sep.csv"))
    assert info["delimiter"] == ";" and frame["text"].tolist() == ["a, b", "c", "d"]


def test_semicolon_sniffed_and_quoted_delimiter_kept():
    frame, info = read_table(fx("semicolon.csv"))
    assert info["delimiter"] == ";"
    assert frame["text"].tolist() == ["Gut, aber lang", "Schlecht; sehr", "Toll"]


def test_mixed_line_endings_keep_every_row():
    frame, _ = read_table(fx("mixed_endings.tsv"))
    assert frame.to_dict("records") == [
        {"label": "1", "sentence": "cr lf"}, {"label": "0", "sentence": "only cr"},
        {"label": "1", "sentence": "only lf"}, {"label": "0", "sentence": "end"}]


def test_no_header_first_row_is_data():
    frame, info = read_table(fx("no_header.tsv"))
    assert info["header"] is False
    assert frame.iloc[0].tolist() == ["0", "hide new secretions"]
    frame, info = read_table(fx("no_header.tsv"), header=True)   # the user can say otherwise
    assert list(frame.columns) == ["0", "hide new secretions"] and len(frame) == 3


def test_trailing_empty_unnamed_columns_dropped():
    frame, info = read_table(fx("trailing_columns.csv"))
    assert list(frame.columns) == ["label", "text"] and "unnamed" not in info


def test_longer_rows_read_wide_with_unnamed_columns():
    """Text with unquoted commas: the row is read whole, extra fields in unnamed columns."""
    frame, info = read_table(fx("spilled.csv"))
    assert list(frame.columns) == ["label", "text", "column_3", "column_4"]
    assert info["unnamed"] == ["column_3", "column_4"] and info["padded"] is True
    assert frame.iloc[1].tolist() == ["neg", "Slow", " long", " and dull"]
    assert frame.iloc[3].tolist() == ["neg", "Bad", " really", None]     # None: past its end
    assert frame.iloc[0].tolist() == ["pos", "Loved it", None, None]


def test_unbalanced_quote_in_tsv_read_literally(tmp_path):
    path = tmp_path / "q.tsv"
    path.write_text('label\ttext\n1\tsays "hi\n0\tplain\n1\tends "here\n')
    frame, _ = read_table(path)
    assert frame["text"].tolist() == ['says "hi', "plain", 'ends "here']


def test_preview_of_large_file_is_fast(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("label,text\n")
        for i in range(200_000):
            f.write(f"{i % 3},row number {i} with some words in it\n")
    start = time.perf_counter()
    frame, _ = read_table(path, nrows=20)
    assert len(frame) == 20 and time.perf_counter() - start < 2.0


def test_read_delimited_directly(tmp_path):
    path = Path(tmp_path / "p.psv")
    path.write_text("a|b\n1|x\n2|y\n")
    frame, info = delimited.read_delimited(path, "utf-8", 0, None)
    assert info == {"format": "csv", "delimiter": "|", "header": True}
    assert frame.values.tolist() == [["1", "x"], ["2", "y"]]
