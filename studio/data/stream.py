"""Big delimited files: the first rows for what the eye needs, one streaming pass for what counts.

Reading a 300 MB CSV whole, then normalising it, holds the text several times over. A big
CSV / TSV is instead read twice, neither time whole:
  * its first SAMPLE_ROWS rows go through the usual stages (read_table, layout, roles), so the
    preview, the column guesses and the task are the same as for a small file;
  * one pass with pyarrow's streaming reader (BLOCK_BYTES at a time, only the role columns)
    keeps per row just what the checks compare: a hash of the texts, a label code, whether
    the text is blank or holds a placeholder. The checks then run on those arrays, so counts,
    labels and problems cover every row in memory that does not grow with the text.
The usable examples are read again only when someone asks for them (a training job).

Only classification tables take this path. Anything else, or anything the sample did not
show (a ragged row further down, text spilled into unnamed columns), raises NotStreamable
and the file is read whole instead, so behaviour never depends on where a problem sits.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from studio.data.delimited import arrow_options, arrow_strings
from studio.data.encodings import HEAD_BYTES, resolve_encoding
from studio.data.frames import file_key
from studio.data.label_checks import clean_coded
from studio.data.normalise import (TextSignals, classification_checks, final_checks, jsonable,
                                   label_counts, text_column, text_signals)
from studio.data.readers import JSON_EXTS, is_hf, sniff_kind
from studio.errors import DataError

log = logging.getLogger(__name__)

STREAM_BYTES = 64 << 20          # files above this are streamed
SAMPLE_ROWS = 20_000             # rows read whole: preview, layout and role guesses
BLOCK_BYTES = 4 << 20            # bytes pyarrow parses at a time
EXCLUDED_DATA_ROWS = 10_000      # excluded rows listed with their cells (the rest: row + reason)


class NotStreamable(Exception):
    """The file must be read whole after all; the message says why (logged)."""


def wanted(path, max_rows: int) -> bool:
    """Whether `path` is a text file big enough to stream (its kind is settled later)."""
    if is_hf(path) or (max_rows and max_rows <= SAMPLE_ROWS):
        return False
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size <= STREAM_BYTES or p.suffix.lower() in JSON_EXTS:
            return False
        with open(p, "rb") as f:
            head = f.read(HEAD_BYTES)
    except OSError:
        return False
    return sniff_kind(p, head) == "text"


def full_encoding(path, encoding: str) -> str:
    """What reading the whole file would settle on (raises the same DataError)."""
    p = Path(path)
    with open(p, "rb") as f:
        head = f.read(HEAD_BYTES)
    return resolve_encoding(p, head, encoding)


@dataclass
class Scan:
    """Per row of the whole file: what the classification checks compare."""
    rows: int
    signals: TextSignals
    label_codes: np.ndarray           # index into label_uniques
    label_uniques: list


def batches(path, info: dict, encoding: str, columns: list[str], limit: int = 0,
            arrow: bool = False):
    """The file's rows as pandas frames (or arrow tables) of `columns`, a block at a time;
    NotStreamable at a row with another field count (the whole read handles those)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    how = info.get("stream")
    if not how or info.get("unnamed") or info.get("padded"):
        raise NotStreamable("the first rows needed more than pyarrow's reader")
    fields = {name: f"f{i}" for i, name in enumerate(how["fields"])}
    names = {f: c for c, f in fields.items()}
    bad = []

    def on_invalid(row):
        if row.text.strip(info["delimiter"] + " \t\r\n"):
            bad.append(row)
        return "skip"

    include = [fields[c] for c in columns]
    read, parse, convert = arrow_options(encoding, info["delimiter"], how["width"], how["skip"],
                                         how["quoting"], on_invalid, include, BLOCK_BYTES)
    seen = 0
    try:
        reader = pcsv.open_csv(path, read_options=read, parse_options=parse,
                               convert_options=convert)
        for batch in reader:
            if bad:
                raise NotStreamable(f"a row with {bad[0].actual_columns} fields")
            if limit and seen + batch.num_rows > limit:
                batch = batch.slice(0, limit - seen)
            seen += batch.num_rows
            table = pa.Table.from_batches([batch])
            table = table.rename_columns([names.get(f, f) for f in table.column_names])
            yield table.select(columns) if arrow else \
                table.to_pandas(**arrow_strings())[columns]
            if limit and seen >= limit:
                return
    except pa.ArrowInvalid as e:
        name = Path(path).name
        raise DataError(code="bad_csv", file=name, detail=str(e)) from None
    if bad:
        raise NotStreamable(f"a row with {bad[0].actual_columns} fields")


SCANS: OrderedDict[tuple, Scan] = OrderedDict()     # the last few scans: a changed choice
SCAN_CACHE = 2                                      # or task on the Data step reuses them
CELLS: OrderedDict[tuple, dict] = OrderedDict()     # row -> cells of excluded rows past
_scans_lock = threading.Lock()                      # the sample, per file, fetched so far


def scan(path, info: dict, encoding: str, roles: dict, limit: int = 0) -> Scan:
    """One pass: text signals and label codes of every row, in bounded memory; the last few
    are kept (a few bytes per row each), keyed by the file's identity and the role columns."""
    key = file_key(path, encoding, "", limit, info.get("header"))
    if key is not None:
        key += tuple(roles.get(r) for r in ("text", "text_pair", "label"))
        with _scans_lock:
            if key in SCANS:
                SCANS.move_to_end(key)
                return SCANS[key]
    found = _scan(path, info, encoding, roles, limit)
    if key is not None:
        with _scans_lock:
            SCANS[key] = found
            while len(SCANS) > SCAN_CACHE:
                SCANS.popitem(last=False)
    return found


def _scan(path, info: dict, encoding: str, roles: dict, limit: int = 0) -> Scan:
    text_roles = [r for r in ("text", "text_pair") if roles.get(r)]
    columns = list(dict.fromkeys([roles[r] for r in text_roles] + [roles["label"]]))
    parts, codes, index = [], [], {}
    for frame in batches(path, info, encoding, columns, limit):
        parts.append(text_signals([text_column(frame[roles[r]]) for r in text_roles]))
        local, uniques = pd.factorize(frame[roles["label"]], use_na_sentinel=True)
        to_global = np.array([index.setdefault(u, len(index)) for u in uniques] + [-1],
                             dtype=np.int64)
        codes.append(to_global[local])
    example = next((p.example for p in parts if p.example), "")
    signals = TextSignals(*(np.concatenate([getattr(p, k) for p in parts]) if parts else
                            np.zeros(0, dtype=dt) for k, dt in
                            (("blank", bool), ("hashes", np.uint64), ("placeholder", bool))),
                          example=example)
    label_codes = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
    return Scan(len(label_codes), signals, label_codes, list(index))


@dataclass
class Outcome:
    rows: int
    labels: dict
    excluded: list[dict]
    problems: list
    usable: pd.DataFrame              # label and _row of each usable row
    label_values: np.ndarray          # cleaned label per row (object)


def check(path, info: dict, encoding: str, sample: pd.DataFrame, roles: dict, fixes,
          limit: int = 0) -> Outcome:
    """The classification checks of normalise, on the whole file's scan."""
    found = scan(path, info, encoding, roles, limit)
    n = found.rows
    row_numbers = np.arange(1, n + 1)
    labels, missing, problems = clean_coded(found.label_codes, found.label_uniques, row_numbers,
                                            fixes)
    before = pd.Series([None] * n, dtype=object)
    reasons, problems = classification_checks(labels, missing, problems, found.signals,
                                              row_numbers, fixes, before)
    keep = reasons.isna().to_numpy()
    usable = pd.DataFrame({"label": labels[keep].to_numpy(), "_row": row_numbers[keep]})
    problems = problems + final_checks(usable, n, "classification")
    excluded = excluded_rows(path, info, encoding, sample, reasons)
    return Outcome(len(usable), label_counts(usable, "classification"), excluded, problems,
                   usable, labels.to_numpy())


def excluded_rows(path, info, encoding, sample: pd.DataFrame, reasons: pd.Series) -> list[dict]:
    """Each excluded row with its reason; its cells for the first EXCLUDED_DATA_ROWS (from the
    sample, or one more pass when they lie past it), None after that."""
    idx = np.flatnonzero(reasons.notna().to_numpy())
    if not len(idx):
        return []
    wanted_rows = idx[:EXCLUDED_DATA_ROWS]
    cells = {int(i): r for i, r in zip(wanted_rows[wanted_rows < len(sample)],
                                       sample.iloc[wanted_rows[wanted_rows < len(sample)]]
                                       .to_dict("records"))}
    key = file_key(path, encoding, "", 0, info.get("header"))
    with _scans_lock:
        known = CELLS.get(key, {}) if key is not None else {}
    cells.update({i: known[i] for i in wanted_rows.tolist() if i in known})
    later = np.array([i for i in wanted_rows[wanted_rows >= len(sample)].tolist()
                      if i not in cells], dtype=np.int64)
    if len(later):
        start = 0
        for table in batches(path, info, encoding, list(sample.columns), int(later[-1]) + 1,
                             arrow=True):
            end = start + table.num_rows
            here = later[(later >= start) & (later < end)]
            if len(here):
                cells.update(zip(here.tolist(), table.take(here - start).to_pylist()))
            start = end
        if key is not None:
            with _scans_lock:
                CELLS[key] = {**known, **{i: cells[i] for i in later.tolist() if i in cells}}
                CELLS.move_to_end(key)
                while len(CELLS) > SCAN_CACHE:
                    CELLS.popitem(last=False)
    return [{"row": int(i) + 1, "reason": reasons.iat[i],
             "data": jsonable(cells[int(i)]) if int(i) in cells else None} for i in idx]


def examples_reader(path, info: dict, encoding: str, roles: dict, labels: np.ndarray,
                    limit: int = 0):
    """A function reading the examples (text, [text_pair], label, _row) of given row numbers
    from the file, one frame per set of row numbers, in one pass that drops the other rows
    block by block: each text is held once, in arrow, and never copied again to split it."""
    text_roles = [r for r in ("text", "text_pair") if roles.get(r)]
    columns = list(dict.fromkeys(roles[r] for r in text_roles))

    def read(*row_sets: np.ndarray) -> list[pd.DataFrame]:
        row_sets = [np.sort(np.asarray(rows, dtype=np.int64)) for rows in row_sets]
        which = np.full(len(labels), -1, dtype=np.int16)
        for k, rows in enumerate(row_sets):
            which[rows - 1] = k
        parts = [{r: [] for r in text_roles} for _ in row_sets]
        start = 0
        for frame in batches(path, info, encoding, columns, limit):
            here = which[start:start + len(frame)]
            start += len(frame)
            for k, part in enumerate(parts):
                mask = here == k
                if mask.any():
                    for r in text_roles:
                        part[r].append(text_column(frame[roles[r]])[mask])
        out = []
        for rows, part in zip(row_sets, parts):
            data = {r: _concat(part[r]) for r in text_roles}
            data["label"] = labels[rows - 1]
            data["_row"] = rows
            out.append(pd.DataFrame(data))
        return out

    return read


def _concat(parts: list[pd.Series]) -> pd.Series:
    if not parts:
        return pd.Series([], dtype="str")
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else \
        parts[0].reset_index(drop=True)
