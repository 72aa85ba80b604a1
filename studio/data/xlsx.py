"""Excel (.xlsx) rows, read within the limits of `studio.data.limits`.

An .xlsx file is a zip of XML, so its size says nothing about the work: one cell at XFD1048576
makes openpyxl's `iter_rows` pad a million rows of 16,384 cells, and 1 MB of zip can expand to
hundreds of MB of XML. So, before any row is parsed: the members' declared sizes must fit the
unpacked limit and the sheet's declared dimension the row and column limits. Then only the
rows the sheet holds are parsed (openpyxl's row parser, without the padding), from a stream
that counts the bytes really inflated (a lying header is caught there, and Python's zipfile
stops at the declared size anyway), while rows, cells and the time are counted.
"""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from studio.data import limits as L
from studio.errors import DataError

log = logging.getLogger(__name__)

CHECK_EVERY = 256          # rows between two looks at the clock
RATIO_FROM_MB = 16         # members smaller than this may compress as well as they like


class CountingReader:
    """A member's stream that refuses to inflate more than `budget` bytes in all."""

    def __init__(self, raw, name: str, budget: list, limit_mb: int):
        self.raw, self.name, self.budget, self.limit_mb = raw, name, budget, limit_mb

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n if n and n > 0 else 1 << 16)
        self.budget[0] -= len(data)
        if self.budget[0] < 0:
            raise L.too_much_unpacked(self.name, self.limit_mb)
        return data

    def close(self) -> None:
        self.raw.close()


def check_archive(path: Path, limits: L.ReadLimits) -> int:
    """The declared unpacked size of the workbook, refused above the limit before any XML is
    read; returns the bytes left for streaming."""
    limit = limits.max_unpacked_mb * 2**20
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(code="bad_xlsx", file=path.name, detail=str(e)) from None
    declared = sum(max(0, i.file_size) for i in members)
    if declared > limit:
        raise L.too_much_unpacked(path.name, limits.max_unpacked_mb)
    for i in members:
        ratio = i.file_size // max(1, i.compress_size)
        if limits.max_inflate_ratio and i.file_size > RATIO_FROM_MB << 20 \
                and ratio > limits.max_inflate_ratio:
            raise L.inflates_too_much(path.name, ratio, limits.max_inflate_ratio)
    return limit


def check_dimension(name: str, bounds, limits: L.ReadLimits) -> None:
    """The sheet's declared <dimension ref="A1:XFD1048576">, if any, within the limits."""
    if not bounds:
        return
    min_col, min_row, max_col, max_row = bounds
    if max_col and max_col > limits.max_columns:
        raise L.too_many_columns(name, max_col, limits.max_columns)
    if max_row and max_row - (min_row or 1) + 1 > limits.max_rows:
        raise L.too_many_rows(name, max_row - (min_row or 1) + 1, limits.max_rows)
    if max_col and max_row and max_col * (max_row - (min_row or 1) + 1) > limits.max_cells:
        raise L.too_many_cells(name, limits.max_cells)


def sheet_rows(wb, ws, path: Path, limit: int, limits: L.ReadLimits, budget: int,
               to_text) -> list[list[str]]:
    """The non-empty rows of read-only sheet `ws`, each cell through `to_text`; only rows the
    sheet holds are visited (a gap of a million empty rows costs nothing)."""
    from openpyxl.worksheet._read_only import read_dimension
    from openpyxl.worksheet._reader import WorkSheetParser

    name = path.name
    left = [budget]
    with wb._archive.open(ws._worksheet_path) as raw:
        check_dimension(name, read_dimension(CountingReader(raw, name, left,
                                                            limits.max_unpacked_mb)), limits)
    deadline = L.Deadline(name, limits.max_seconds)
    rows: list[list[str]] = []
    cells = seen = 0
    with wb._archive.open(ws._worksheet_path) as raw:
        parser = WorkSheetParser(CountingReader(raw, name, left, limits.max_unpacked_mb),
                                 ws._shared_strings, data_only=True, epoch=wb.epoch,
                                 date_formats=wb._date_formats,
                                 timedelta_formats=wb._timedelta_formats)
        for _, parsed in parser.parse():
            seen += 1
            if seen % CHECK_EVERY == 0:
                deadline.check()
            if not parsed:
                continue
            width = max(c["column"] for c in parsed)
            if width > limits.max_columns:
                raise L.too_many_columns(name, width, limits.max_columns)
            values = [""] * width
            for c in parsed:
                values[c["column"] - 1] = to_text(c["value"])
            if not any(v != "" for v in values):
                continue
            rows.append(values)
            cells += width
            if len(rows) > limits.max_rows:
                raise L.too_many_rows(name, len(rows), limits.max_rows)
            if cells > limits.max_cells:
                raise L.too_many_cells(name, limits.max_cells)
            if limit and len(rows) > limit:
                break
    deadline.check()
    return rows
