"""studio.data.ragged: rows with another field count than the first row."""
from __future__ import annotations

from pathlib import Path

import pytest

from data_helpers import fx
from studio.data.ragged import ragged_error, read_ragged
from studio.errors import DataError


def test_longer_rows_read_wide_padded_with_none():
    frame = read_ragged(Path(fx("ragged.csv")), "utf-8", ",", 2, header=True, sep_line=False)
    assert frame.values.tolist() == [["1", "ok", None, None], ["0", "fine", None, None],
                                     ["1", "too", "many", "fields"], ["0", "last", None, None]]


def test_a_short_row_is_an_error_naming_its_line():
    with pytest.raises(DataError) as e:
        read_ragged(Path(fx("short_row.csv")), "utf-8", ",", 2, header=True, sep_line=False)
    assert e.value.code == "ragged_rows"
    assert (e.value.params["line"], e.value.params["found"], e.value.params["expected"]) == \
        (4, 1, 2)
    assert str(e.value).startswith("Line 4 of short_row.csv does not have as many fields as the "
                                   "first row (1, not 2);")


def test_limit_stops_before_an_odd_row(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("label,text\n1,a\n0,b\n1,c,d\n")
    assert read_ragged(path, "utf-8", ",", 2, header=True, sep_line=False, limit=2) is None
    wide = read_ragged(path, "utf-8", ",", 2, header=True, sep_line=False)
    assert wide.shape == (3, 3) and wide.iloc[2].tolist() == ["1", "c", "d"]


def test_sep_line_blank_lines_and_no_header(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("sep=;\n\n1;a\n  \n0;b;c\n")
    frame = read_ragged(path, "utf-8", ";", 2, header=False, sep_line=True)
    assert frame.values.tolist() == [["1", "a", None], ["0", "b", "c"]]


def test_error_wording_without_a_line():
    err = ragged_error(Path("x.tsv"), "\t", 3, None, 5)
    assert err.code == "ragged_row_unknown_line"
    assert str(err) == ("A row of x.tsv does not have as many fields as the first row (5, not 3); "
                        "fix the separators on that row, or quote text that contains one.")
