"""How much one read of a file may cost: the one place the readers' limits live.

A 1.6 KB spreadsheet can declare a million rows and 16,384 columns, and a 1 MB one can expand
to hundreds of MB of XML: the size of the upload says nothing about the work. Every reader
checks these limits before (or while) doing the work and stops with one sentence naming the
limit and what to do. A hosted studio (STUDIO_HOSTED=1, set by the app for itself and its
children) uses the lower set; a local one the higher; either may be changed with
STUDIO_READ_<NAME> (e.g. STUDIO_READ_MAX_ROWS=2000000). The CLI uses the same readers, so it
gets the same limits.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, fields, replace

from studio.errors import DataError

log = logging.getLogger(__name__)

ENV_PREFIX = "STUDIO_READ_"


@dataclass(frozen=True)
class ReadLimits:
    max_rows: int = 1_048_576          # rows of a spreadsheet (Excel's own maximum)
    max_columns: int = 5_000           # columns of any table
    max_cells: int = 20_000_000        # rows x columns of a spreadsheet held in memory
    max_unpacked_mb: int = 1_024       # what a spreadsheet (a zip of XML) may expand to
    max_seconds: float = 900           # one read, start to end (0: no limit)
    max_depth: int = 64                # JSON nesting ([[[...]]]); records need a handful
    max_cell_mb: int = 4               # one CSV cell or row: pyarrow's block size
    max_inflate_ratio: int = 100       # a zip member above RATIO_FROM_MB expanding more than
                                       # this is a bomb (real sheets: 5-20x; Apache POI's rule)


HOSTED = ReadLimits(max_rows=500_000, max_columns=1_000, max_cells=2_000_000,
                    max_unpacked_mb=256, max_seconds=60)
LOCAL = ReadLimits()


def current() -> ReadLimits:
    """The limits of this process: hosted or local, with STUDIO_READ_* overrides."""
    base = HOSTED if os.environ.get("STUDIO_HOSTED") == "1" else LOCAL
    changed = {}
    for f in fields(ReadLimits):
        raw = os.environ.get(ENV_PREFIX + f.name.upper(), "").strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            log.warning("%s%s=%r is not a number; keeping %s", ENV_PREFIX, f.name.upper(), raw,
                        getattr(base, f.name))
            continue
        changed[f.name] = value if f.type in ("float", float) else int(value)
    return replace(base, **changed) if changed else base


class Deadline:
    """Checked inside a reader's loop: a slow file never holds a request slot for long."""

    def __init__(self, name: str, seconds: float):
        self.name, self.seconds = name, seconds
        self.end = time.monotonic() + seconds if seconds else None

    def check(self) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise too_slow(self.name, self.seconds)


# ---- the sentences -------------------------------------------------------------------------

def too_many_rows(name: str, rows: int, limit: int) -> DataError:
    return DataError(code="too_many_rows", file=name, rows=rows, limit=limit)


def too_many_columns(name: str, columns: int, limit: int) -> DataError:
    return DataError(code="too_many_columns", file=name, columns=columns, limit=limit)


def too_many_cells(name: str, limit: int) -> DataError:
    return DataError(code="too_many_cells", file=name, limit=limit)


def too_much_unpacked(name: str, limit_mb: int) -> DataError:
    return DataError(code="too_much_unpacked", file=name, limit_mb=limit_mb)


def inflates_too_much(name: str, ratio: int, limit: int) -> DataError:
    return DataError(code="zip_bomb", file=name, ratio=ratio, limit=limit)


def too_slow(name: str, seconds: float) -> DataError:
    seconds = int(seconds) if float(seconds).is_integer() else seconds
    return DataError(code="read_too_slow", file=name, seconds=seconds)


def too_deep(name: str, limit: int) -> DataError:
    return DataError(code="too_deep", file=name, limit=limit)


def cell_too_long(name: str, limit_mb: int) -> DataError:
    return DataError(code="cell_too_long", file=name, limit_mb=limit_mb)


def row_too_big(name: str, text: str, delim: str) -> DataError:
    """Which limit a first row longer than one cell may be breaks: its columns, else a cell."""
    limits = current()
    fields = text.lstrip("\r\n").split("\n", 1)[0].count(delim) + 1
    if fields > limits.max_columns:
        return too_many_columns(name, fields, limits.max_columns)
    return cell_too_long(name, limits.max_cell_mb)


def check_cells(name: str, table) -> None:
    """No cell of a pyarrow table longer than the cell limit (a runaway quote swallows a whole
    file into one cell; a cell of many MB is never a training example)."""
    import pyarrow.compute as pc

    limit_mb = current().max_cell_mb
    for column in table.columns:
        if len(column) and (pc.max(pc.binary_length(column)).as_py() or 0) > limit_mb << 20:
            raise cell_too_long(name, limit_mb)


def depth_over(value, limit: int) -> bool:
    """Whether parsed JSON nests deeper than `limit` (iterative: deep data cannot overflow
    the stack here as it would in every recursive step after the read)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False
