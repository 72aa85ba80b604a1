"""Row checks shared by every task: exact duplicates, conflicting labels, blank texts, template
placeholders, train/validation keys and token lengths. Each returns a row mask (and, where it
decides an action, a Problem); normalise applies them."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from studio.data.problems import (ACTION_OF, MAX_EXAMPLE_ROWS, Problem, choice,  # noqa: F401
                                  problem, rows_of)

PLACEHOLDER = re.compile(r"\{\{\s*[\w.\- ]{1,40}\s*\}\}")

HASH_CHUNK = 100_000


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash per row, computed in chunks so a million long texts never exist twice in
    memory (factorising the whole column would copy every distinct string at once). Hashes
    are compared within one process only, never stored."""
    out = np.empty(len(frame), dtype=np.uint64)
    for start in range(0, len(frame), HASH_CHUNK):
        part = frame.iloc[start:start + HASH_CHUNK]
        out[start:start + len(part)] = _hash_part(part)
    return out


def _hash_part(part: pd.DataFrame) -> np.ndarray:
    """Columns of (arrow) strings: Python's own string hash (SipHash, 64-bit), several times
    faster than pandas' hashing of arrow strings; other columns: pandas' hash."""
    if not len(part.columns) or not all(pd.api.types.is_string_dtype(part[c]) and
                                        part[c].dtype != object and not part[c].hasnans
                                        for c in part.columns):
        return pd.util.hash_pandas_object(part, index=False).to_numpy()
    out = np.zeros(len(part), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for c in part.columns:
            col = np.fromiter(map(hash, part[c].tolist()), dtype=np.int64, count=len(part))
            out = out * np.uint64(0x100000001B3) + col.view(np.uint64)
    return out


def isin(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """np.isin for hashes through a hash table: np.isin sorts, 50x slower on a million rows."""
    return pd.Series(values).isin(reference).to_numpy(dtype=bool, copy=True)


def duplicate_rows(keys: pd.DataFrame | None, live: np.ndarray, hashes=None) -> np.ndarray:
    """Rows (among live ones) that repeat an earlier live row exactly (`hashes`: precomputed).
    Without `keys` (a big file streamed past) equal hashes are taken as equal rows: with 64-bit
    hashes a false match among a hundred million rows is about one in four thousand."""
    dup = np.zeros(len(live), dtype=bool)
    idx = np.flatnonzero(live)
    if not len(idx):
        return dup
    hashes = pd.Series((row_hashes(keys) if hashes is None else hashes)[idx])
    candidates = hashes.duplicated(keep="first").to_numpy()
    if not candidates.any():
        return dup
    if keys is None:
        dup[idx[candidates]] = True
        return dup
    firsts = ~candidates & isin(hashes.to_numpy(), hashes[candidates].to_numpy())
    first_of = dict(zip(hashes[firsts].to_numpy(), idx[firsts]))
    # Equal hashes are all but certainly equal rows; confirm so "exact" stays exact.
    values = keys.columns
    for pos in idx[candidates]:
        first = first_of[hashes.iat[int(np.searchsorted(idx, pos))]]
        dup[pos] = all(_same(keys[c].iat[pos], keys[c].iat[first]) for c in values)
    return dup


def _same(a, b) -> bool:
    return a == b or (a != a and b != b)      # NaN equals NaN here


def conflicting_rows(text_hash: np.ndarray, label_codes: np.ndarray,
                     live: np.ndarray) -> np.ndarray:
    """Rows whose text also appears (among live rows) with a different label."""
    out = np.zeros(len(label_codes), dtype=bool)
    idx = np.flatnonzero(live)
    if not len(idx):
        return out
    text = text_hash[idx]
    pairs = pd.DataFrame({"t": text, "l": label_codes[idx]}).drop_duplicates()
    shared = pairs["t"][pairs["t"].duplicated(keep=False)].unique()
    out[idx] = isin(text, shared)
    return out


def with_codes(hashes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Fold small integer codes (labels) into row hashes; wraps around on purpose."""
    with np.errstate(over="ignore"):
        return hashes * np.uint64(1_000_003) + codes.astype(np.uint64)


def matches(series: pd.Series, pattern: str) -> np.ndarray:
    """Regex search over a text column in pyarrow (C++), without a Python loop per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(series, type=pa.string(), from_pandas=True)
        return pc.fill_null(pc.match_substring_regex(arr, pattern), False) \
            .to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return series.astype(str).str.contains(pattern, regex=True).to_numpy(dtype=bool)


def blank(series: pd.Series) -> np.ndarray:
    """Empty or whitespace-only cells."""
    return matches(series, r"^\s*$")


def placeholder_rows(texts: list[pd.Series]) -> tuple[np.ndarray, str]:
    mask = np.zeros(len(texts[0]) if texts else 0, dtype=bool)
    for s in texts:
        mask |= matches(s, PLACEHOLDER.pattern)
    example = ""
    if mask.any():
        for s in texts:
            for value in s[mask].head(MAX_EXAMPLE_ROWS):
                found = PLACEHOLDER.search(str(value))
                if found:
                    return mask, found.group(0)
    return mask, example


def keys_in(keys: pd.Series, reference: pd.Series) -> np.ndarray:
    """Which keys also occur in `reference`: hashes first, then exact comparison of the hits."""
    if not len(keys) or not len(reference):
        return np.zeros(len(keys), dtype=bool)
    key_hash = row_hashes(keys.to_frame("k"))
    ref_hash = row_hashes(reference.to_frame("k"))
    hit = isin(key_hash, ref_hash)
    if hit.any():
        exact = {reference.iat[i] for i in np.flatnonzero(isin(ref_hash, key_hash[hit]))}
        hit[hit] = [keys.iat[i] in exact for i in np.flatnonzero(hit)]
    return hit


def example_keys(examples: pd.DataFrame, task: str) -> pd.Series:
    """What makes two examples 'the same input' when comparing train and validation."""
    if task == "classification":
        key = _as_str(examples["text"])
        if "text_pair" in examples:
            key = key + "\x1f" + _as_str(examples["text_pair"])
        return key
    if task == "text2text":
        return _as_str(examples["prompt"])
    return examples["messages"].map(
        lambda m: json.dumps(_without_last_reply(m), ensure_ascii=False))


def _as_str(series: pd.Series) -> pd.Series:
    """Strings as they are (astype(str) would copy arrow strings into Python objects)."""
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        return series
    return series.astype(str)


def _without_last_reply(messages: list) -> list:
    return messages[:-1] if messages and messages[-1]["role"] == "assistant" else messages


def too_long(lengths: np.ndarray, max_length: int, row_numbers: np.ndarray, fixes,
             total: int | None = None) -> tuple[np.ndarray, Problem | None]:
    """Examples over max_length tokens; `total` > len(lengths) means lengths are a sample."""
    over = lengths > max_length
    if not over.any():
        return over, None
    action = ACTION_OF[choice(fixes, "too_long")]
    share = float(round(100.0 * over.sum() / max(1, len(lengths)), 1))
    params = {"share": share, "max_length": int(max_length)}
    if total and total > len(lengths):
        count = int(round(over.sum() * total / len(lengths)))
        return over, problem("too_long", action, rows_of(over, row_numbers), count,
                             template="estimated", sample=len(lengths), **params)
    return over, problem("too_long", action, rows_of(over, row_numbers), int(over.sum()),
                         **params)


def rare_classes(labels: pd.Series) -> list[str]:
    counts = labels.value_counts()
    return sorted(str(k) for k, v in counts.items() if v < 2)
