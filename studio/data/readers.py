"""Readers: turn whatever file an analyst uploads into one raw DataFrame, or one clear DataError.

Every reader returns the table exactly as the file holds it (all rows, original order). Delimited
text and Excel cells come back as strings so that "007", "1.0" and "TRUE" are never reinterpreted;
JSON and Parquet keep their native values (a `messages` cell stays a list of dicts).
`read_any` picks the reader: Parquet, Excel and Hugging Face datasets here; text goes to
`studio.data.encodings`, then `studio.data.jsonfiles` or `studio.data.delimited`.
`studio.data.frames` caches what this reads; the later stages (layout, roles, normalisation,
checks) never read a file.
"""
from __future__ import annotations

import logging
import os
import re
import zipfile
from pathlib import Path

import pandas as pd

from studio.data.delimited import (SAMPLE_ROWS, column_names, drop_empty_unnamed, looks_like_header,
                              read_delimited)
from studio.data.encodings import HEAD_BYTES, read_head_text, resolve_encoding
from studio.errors import DataError
from studio.shown import shown_path
from studio.hub import hub_offline, hub_reachable
from studio.data.jsonfiles import read_json

log = logging.getLogger(__name__)

TEXT_EXTS = {".csv", ".tsv", ".tab", ".txt", ".psv", ".dat", ".text"}
JSON_EXTS = {".json", ".jsonl", ".ndjson"}
DEFAULT_MAX_UPLOAD_MB = 1024


# ---- limits and file kinds -----------------------------------------------------------------

def max_upload_bytes() -> int:
    raw = os.environ.get("STUDIO_MAX_UPLOAD_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        log.warning("STUDIO_MAX_UPLOAD_MB=%r is not a number; using %s", raw, DEFAULT_MAX_UPLOAD_MB)
        mb = DEFAULT_MAX_UPLOAD_MB
    return int(mb * 1024 * 1024)


def check_size(path: Path) -> int:
    size = path.stat().st_size
    limit = max_upload_bytes()
    if size > limit:
        size_mb, limit_mb = round(size / 2**20, 1), round(limit / 2**20, 1)
        raise DataError(code="file_too_large", file=path.name, size_mb=size_mb,
                        limit_mb=limit_mb)
    return size


# Magic numbers of binary files people rename to .csv by mistake.
MAGIC = [
    (b"PAR1", "parquet"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0", "old Excel (.xls) or Word document"), (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"), (b"%PDF", "PDF document"),
    (b"\x1f\x8b", "gzip archive"), (b"BZh", "bzip2 archive"), (b"7z\xbc\xaf", "7-Zip archive"),
    (b"Rar!", "RAR archive"), (b"SQLite format 3", "SQLite database"),
    (b"\x7fELF", "program"), (b"MZ", "Windows program"),
]


UNSUPPORTED = {"old Excel (.xls) or Word document", "PDF document", "SQLite database"}


def sniff_kind(path: Path, head: bytes) -> str:
    """'parquet', 'xlsx', 'text', or a description of a binary file we cannot read."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                return "xlsx" if _is_xlsx(path) else "zip archive"
            if kind == "Windows program" and not head[:64].count(b"\x00"):
                continue          # "MZ" is also how a text file may start
            return kind
    if head[:4] in (b"RIFF",) or head[4:8] == b"ftyp":
        return "audio or video file"
    return "text"


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


# ---- Parquet / Excel / Hugging Face --------------------------------------------------------

def read_parquet(path: Path, limit: int) -> tuple[pd.DataFrame, dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        if limit:
            batches = pf.iter_batches(batch_size=limit)
            first = next(batches, None)
            table = pa.Table.from_batches([first] if first is not None else [],
                                          schema=pf.schema_arrow)
        else:
            table = pf.read()
    except (pa.ArrowException, OSError) as e:
        raise DataError(code="bad_parquet", file=path.name, detail=str(e)) from None
    return arrow_frame(table), {"format": "parquet"}


def arrow_frame(table) -> pd.DataFrame:
    """Nested columns (conversations) become Python lists of dicts; the rest stays columnar."""
    import pyarrow.types as pt

    out = {}
    for name, col in zip(table.column_names, table.columns):
        if pt.is_nested(col.type) or pt.is_binary(col.type):
            out[name] = pd.Series(col.to_pylist(), dtype=object)
        else:
            out[name] = col.to_pandas()
    return pd.DataFrame(out, columns=table.column_names)


def read_xlsx(path: Path, sheet: str, limit: int, header: bool | None) -> tuple[pd.DataFrame, dict]:
    rows, sheets = _xlsx_rows(path, sheet, limit)
    name = sheet or sheets[0]
    if not rows:
        raise DataError(code="empty_sheet", file=path.name, sheet=name, sheets=sheets)
    width = max(len(r) for r in rows)
    while width > 1 and all(len(r) < width or not r[width - 1].strip() for r in rows):
        width -= 1                                  # trailing empty columns
    rows = [(r + [""] * width)[:width] for r in rows]
    has_header = looks_like_header(rows[:SAMPLE_ROWS]) if header is None else header
    names = column_names(rows[0], has_header)
    body = rows[1:] if has_header else rows
    if limit:
        body = body[:limit]
    if has_header and not body:
        raise DataError(code="header_only_sheet", file=path.name, sheet=name, columns=names)
    frame = pd.DataFrame(body, columns=names, dtype=object).astype("str")
    frame = drop_empty_unnamed(frame, rows[0] if has_header else None)
    info = {"format": "xlsx", "sheets": sheets, "sheet": name, "header": has_header}
    unnamed = [n for n, cell in zip(names, rows[0]) if has_header and not cell.strip()
               and n in frame.columns]
    if unnamed:
        info["unnamed"] = unnamed         # blank header cells; see studio.data.spill
    return frame, info


def _xlsx_rows(path: Path, sheet: str, limit: int) -> tuple[list[list[str]], list[str]]:
    """Non-empty rows of one sheet as strings. Opened from a file handle because openpyxl
    refuses paths whose extension is not .xlsx (a workbook renamed to .csv is still one)."""
    import openpyxl

    from studio.data import limits as read_limits
    from studio.data.xlsx import check_archive, sheet_rows
    limits = read_limits.current()
    budget = check_archive(path, limits)   # declared unpacked size: before any XML is parsed
    with open(path, "rb") as fh:
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as e:      # openpyxl raises many types for broken files
            raise DataError(code="bad_xlsx", file=path.name, detail=str(e)) from None
        try:
            sheets = list(wb.sheetnames)
            if sheet and sheet not in sheets:
                raise DataError(code="missing_sheet", file=path.name, sheet=sheet,
                                sheets=sheets)
            rows = sheet_rows(wb, wb[sheet or sheets[0]], path, limit, limits, budget,
                              excel_cell)
        except (zipfile.BadZipFile, OSError, EOFError, SyntaxError, KeyError) as e:  # bad CRC, XML
            raise DataError(code="bad_xlsx", file=path.name, detail=str(e)) from None
        finally:
            wb.close()
    return rows, sheets


def excel_cell(value) -> str:
    """Cells as the user sees them: 3 not 3.0, dates as ISO, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


HF_PATTERN = re.compile(r"^(?:hf:|hf://(?:datasets/)?|hub:)(?P<name>[\w.\-]+(?:/[\w.\-]+)?)"
                        r"(?::(?P<config>[\w.\-]+))?(?:@(?P<split>[\w.\-\[\]:%]+))?$")


def is_hf(path) -> bool:
    return str(path).startswith(("hf:", "hub:"))


def read_hf(spec: str, limit: int) -> tuple[pd.DataFrame, dict]:
    """hf:owner/name[:config][@split]; fails fast when the Hub is switched off."""
    m = HF_PATTERN.match(spec.strip())
    if not m:
        raise DataError(code="bad_dataset_id", spec=spec)
    name, config, split = m["name"], m["config"], m["split"] or "train"
    if hub_offline() or not hub_reachable():
        raise DataError(code="offline_dataset", dataset=name)
    import datasets

    try:
        ds = datasets.load_dataset(name, config, split=split, streaming=bool(limit))
        if limit:
            frame = pd.DataFrame.from_records(list(ds.take(limit)))
        else:
            frame = arrow_frame(ds.data.table)
    except (ConnectionError, TimeoutError, OSError) as e:
        raise DataError(code="dataset_download_failed", dataset=name,
                        detail=type(e).__name__) from None
    except Exception as e:      # datasets raises its own types for unknown ids/configs/splits
        raise DataError(code="dataset_not_found", dataset=name, config=config or "", split=split,
                        detail=str(e)) from None
    return frame, {"format": "hf", "encoding": "", "sheets": []}


# ---- entry point ---------------------------------------------------------------------------

def read_any(path, *, encoding: str = "", sheet: str = "", limit: int = 0,
             header: bool | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a file (or hf: dataset) into a raw frame; info has format, encoding, sheets."""
    if is_hf(path):
        return read_hf(str(path), limit)
    p = Path(path)
    if not p.exists():
        raise DataError(code="not_found", file=shown_path(p))
    if p.is_dir():
        raise DataError(code="not_a_file", file=shown_path(p))
    size = check_size(p)
    if size == 0:
        raise DataError(code="empty_file", file=p.name)
    with open(p, "rb") as f:
        head = f.read(HEAD_BYTES)
    kind = sniff_kind(p, head)
    if kind == "parquet":
        frame, info = read_parquet(p, limit)
    elif kind == "xlsx":
        frame, info = read_xlsx(p, sheet, limit, header)
    elif kind in UNSUPPORTED:
        raise DataError(code="unsupported_file", file=p.name, kind=kind)
    elif kind != "text":
        raise DataError(code="not_a_table", file=p.name, kind=kind)
    else:
        enc = resolve_encoding(p, head, encoding, preview=bool(limit))
        frame, info = _read_text(p, enc, head, limit, header)
        info["encoding"] = enc
    frame = frame.reset_index(drop=True)
    info.setdefault("encoding", "")
    info.setdefault("sheets", [])
    log.info("read %s: %d rows, columns %s (%s)", p.name, len(frame), list(frame.columns),
             info["format"])
    return frame, info


def _read_text(p: Path, enc: str, head: bytes, limit: int, header) -> tuple[pd.DataFrame, dict]:
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".parquet", ".xls"):
        log.info("%s has a %s extension but holds text; reading it as text", p.name, suffix)
    text, _ = read_head_text(p, enc, 4096)
    first = text.lstrip()[:1]
    if suffix in JSON_EXTS or (suffix not in TEXT_EXTS and first in ("[", "{")):
        return read_json(p, enc, limit)
    if first in ("[", "{"):
        # JSON saved under a table extension: read it as JSON if it parses as such.
        try:
            return read_json(p, enc, limit)
        except DataError as e:
            if e.code == "too_deep":    # JSON after all, only refused: say so
                raise
            log.info("%s starts like JSON but is not; reading it as a table", p.name)
    if _control_heavy(text):
        raise DataError(code="binary_file", file=p.name, kind="binary")
    return read_delimited(p, enc, limit, header)


def _control_heavy(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n\f\v" or c == "\ufffd")
    return bool(sample) and bad > 0.05 * len(sample)
