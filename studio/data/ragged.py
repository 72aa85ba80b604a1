"""Rows whose field count differs from the first row's.

pyarrow, the fast reader, refuses such a file. Two cases are told apart here by reading it
again with the csv module (slower, so only then):
  * rows with MORE fields: text with an unquoted delimiter spilled into extra fields. The file
    is read as a wider table whose extra columns have no name; studio.data.spill joins the
    pieces back (or excludes those rows), so no text is cut and no row is lost.
  * a row with FEWER fields: a field is missing and nothing says which; a DataError names the
    line so the user can fix it.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from studio.errors import DataError


class Ragged(Exception):
    """pyarrow met a row with another field count (raised by delimited._arrow_read)."""

    def __init__(self, expected, found, text):
        super().__init__(f"expected {expected} fields, found {found}")
        self.expected, self.found, self.text = expected, found, text


def read_ragged(path: Path, encoding: str, delim: str, width: int, *, header: bool,
                sep_line: bool, limit: int = 0) -> pd.DataFrame | None:
    """All data rows (the first `limit` with a limit), as wide as the widest row; cells past a
    row's end are None. Raises DataError at the first row with fewer than `width` fields;
    None when no row within the limit differs (the odd row lies past a preview)."""
    rows, wide = [], width
    with open(path, encoding=encoding, newline="", errors="replace") as f:
        reader = csv.reader(f, delimiter=delim)
        if sep_line:
            next(reader, None)
        skip_header = header
        try:
            for row in reader:
                if not any(c.strip() for c in row):
                    continue                        # blank lines are not rows
                if skip_header:
                    skip_header = False
                    continue
                if len(row) < width:
                    raise ragged_error(path, delim, width, reader.line_num, len(row))
                rows.append(row)
                wide = max(wide, len(row))
                if limit and len(rows) >= limit:
                    break
        except csv.Error as e:
            raise DataError(code="bad_csv_quotes", file=path.name, line=reader.line_num,
                            detail=str(e)) from None
    if wide == width:
        return None
    padded = [row + [None] * (wide - len(row)) for row in rows]
    return pd.DataFrame(padded, columns=[f"f{i}" for i in range(wide)], dtype=object)


def ragged_error(path: Path, delim: str, width: int, line: int | None, found) -> DataError:
    return DataError(code="ragged_rows" if line else "ragged_row_unknown_line", file=path.name,
                     line=line, found=found, expected=width, delimiter=delim)
