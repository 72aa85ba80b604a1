"""JSON and JSON Lines: a list of records, an object holding one, or one object per line."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from studio.data import limits as read_limits
from studio.data.delimited import column_names
from studio.data.encodings import read_head_text
from studio.errors import DataError

RECORD_KEYS = ("data", "rows", "records", "examples", "train", "items", "instances", "samples")


def read_json(path: Path, encoding: str, limit: int) -> tuple[pd.DataFrame, dict]:
    suffix = path.suffix.lower()
    text, _ = read_head_text(path, encoding, 4096)
    first = text.lstrip()[:1]
    if not first:
        raise DataError(code="empty_file", file=path.name)
    if suffix in (".jsonl", ".ndjson") or (first == "{" and _looks_jsonl(path, encoding)):
        return records_frame(path, read_jsonl(path, encoding, limit)), {"format": "jsonl"}
    with open(path, encoding=encoding) as f:
        body = f.read()
    try:
        data = json.loads(body.lstrip("\ufeff"))
    except RecursionError:          # [[[[... 100,000 deep: refused, never a traceback
        raise read_limits.too_deep(path.name, read_limits.current().max_depth) from None
    except json.JSONDecodeError as e:
        raise DataError(code="bad_json", file=path.name, line=e.lineno, column=e.colno,
                        detail=e.msg) from None
    _check_depth(path, data)
    records = _records_in(path, data)
    if limit:
        records = records[:limit]
    return records_frame(path, records), {"format": "json"}


def _looks_jsonl(path: Path, encoding: str) -> bool:
    """One complete object per line: a second line, or a single line that is a record rather
    than an object wrapping the records ({"data": [...]})."""
    lines = 0
    with open(path, encoding=encoding) as f:
        for line in f:
            if not line.strip():
                continue
            lines += 1
            if lines == 1:
                try:
                    first = json.loads(line.lstrip("\ufeff"))
                except (json.JSONDecodeError, RecursionError):
                    return False
                if not isinstance(first, dict):
                    return False
            else:
                return True
    wrapped = any(isinstance(first.get(k), list) for k in RECORD_KEYS)
    return lines == 1 and not wrapped


def read_jsonl(path: Path, encoding: str, limit: int) -> list:
    records = []
    with open(path, encoding=encoding) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line.lstrip("\ufeff") if lineno == 1 else line))
                _check_depth(path, records[-1])
            except RecursionError:
                raise read_limits.too_deep(path.name, read_limits.current().max_depth) from None
            except json.JSONDecodeError as e:
                raise DataError(code="bad_jsonl", file=path.name, line=lineno, column=e.colno,
                                detail=e.msg) from None
            if not isinstance(records[-1], dict):
                raise DataError(code="jsonl_not_object", file=path.name, line=lineno,
                                kind=type(records[-1]).__name__)
            if limit and len(records) >= limit:
                break
    return records


def _check_depth(path: Path, data) -> None:
    """Nesting the later stages (copies, checks, the page) could not walk without
    overflowing Python's stack is refused here, with the limit named."""
    limit = read_limits.current().max_depth
    if isinstance(data, (dict, list)) and read_limits.depth_over(data, limit):
        raise read_limits.too_deep(path.name, limit)


def _records_in(path: Path, data) -> list:
    """A JSON array of records, or an object holding one (under "data", "train", ...)."""
    if isinstance(data, dict):
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        key = next((k for k in RECORD_KEYS if k in lists), None)
        if key is None and len(lists) == 1:
            key = next(iter(lists))
        if key is None and lists and len(lists) == len(data) \
                and len({len(v) for v in lists.values()}) == 1:
            return pd.DataFrame(lists).to_dict("records")     # {"text": [...], "label": [...]}
        if key is None:
            raise DataError(code="bad_json_shape", file=path.name)
        data = lists[key]
    if not isinstance(data, list):
        raise DataError(code="json_single_value", file=path.name)
    return data


def records_frame(path: Path, records: list) -> pd.DataFrame:
    if not records:
        raise DataError(code="no_records", file=path.name)
    if all(isinstance(r, list) for r in records):
        width = max(len(r) for r in records)
        return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in records],
                            columns=column_names([None] * width, False), dtype=object)
    for i, r in enumerate(records):
        if not isinstance(r, dict):
            raise DataError(code="json_record_not_object", file=path.name, record=i + 1,
                            kind=type(r).__name__)
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pd.DataFrame({c: [r.get(c) for r in records] for c in columns},
                        columns=columns, dtype=object)
