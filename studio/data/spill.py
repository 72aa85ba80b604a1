"""Text that spilled into unnamed columns: a delimiter inside unquoted text ("great, really")
splits it into extra fields, which push the rest of the row into trailing columns without a
name (a reader of a short header gives them none; pandas calls them "Unnamed: 2").

Keeping only the first piece would silently cut the text, so by default the pieces are joined
back, with the delimiter that split them, into the column they came from, and the fields after
it move back into place; with the choice "exclude" those rows are left out instead, each listed
with its reason. Which column the text came from is not written anywhere; see _text_column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from studio.data.layouts import norm_name
from studio.data.problems import ACTION_OF, Problem, choice, problem
from studio.data.roles import LABEL_NAMES, TEXT_NAMES

UNNAMED = re.compile(r"^Unnamed: \d+(?:_level_\d+)?$")      # pandas' names for blank headers
KIND = "unnamed_columns"
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
SAMPLE = 2000                # rows looked at to tell which column the text came from


@dataclass
class Spill:
    named: list[str]          # the columns a row should fill
    extra: list[str]          # the unnamed trailing columns holding the overflow
    target: str               # the column whose text was split
    rows: np.ndarray          # bool per row: the row overflowed into `extra`
    delimiter: str            # what split the text (joined back with it)
    padded: bool              # None marks a row's end exactly ("" is then a real field)


def unnamed_trailing(frame: pd.DataFrame, info: dict) -> list[str]:
    """Trailing columns without a name: those the reader reports (a blank header cell, or
    fields past the header's end) and pandas' "Unnamed: N" from files it wrote."""
    unnamed = set(info.get("unnamed", ())) & set(frame.columns)
    out = []
    for col in reversed(list(frame.columns)):
        if col not in unnamed and not UNNAMED.match(str(col)):
            break
        out.append(col)
    return out[::-1]


def find_spill(frame: pd.DataFrame, info: dict) -> Spill | None:
    extra = unnamed_trailing(frame, info)
    if not extra or len(extra) == len(frame.columns):
        return None
    padded = bool(info.get("padded"))
    rows = np.zeros(len(frame), dtype=bool)
    for col in extra:
        rows |= _present(frame[col], padded)
    if not rows.any():
        return None
    named = [c for c in frame.columns if c not in extra]
    return Spill(named, extra, _text_column(frame, named, extra, rows, padded), rows,
                 info.get("delimiter") or ",", padded)


def _present(series: pd.Series, padded: bool) -> np.ndarray:
    """Cells that hold a field: not None, and (unless row ends are exact) not empty."""
    there = series.notna().to_numpy(dtype=bool)
    if not padded:
        there = there & series.astype(object).map(lambda v: str(v) != "").to_numpy(dtype=bool)
    return there


def _text_column(frame: pd.DataFrame, named: list[str], extra: list[str], spilled: np.ndarray,
                 padded: bool) -> str:
    """The named column the overflow came from: the one column named like a text (text,
    review, sentence...), if there is one. Else each candidate is tried on a sample of the
    spilled rows: the right one puts known values of repeating columns (labels) back into the
    columns after it, for most rows; a wrong one only by chance. When no candidate does (the
    text is the last column, or every column is free text), it is the column whose values
    vary most (labels repeat), then the longest."""
    by_name = [c for c in named if norm_name(c) in TEXT_NAMES and norm_name(c) not in LABEL_NAMES]
    if len(by_name) == 1:
        return by_name[0]
    clean = frame.loc[~spilled, named].head(SAMPLE)
    known = [set(clean[c].map(_text)) if _repeats(clean[c]) else set() for c in named]
    rows = frame.loc[spilled, named + extra].head(SAMPLE).to_numpy(dtype=object)
    width = len(named)

    def fits(at: int) -> float:
        """Share of rows whose fields after `at` all take known values once realigned."""
        if at == width - 1:
            return 0.0
        fixed = [realign(list(r), width, at, ",", padded) for r in rows]
        return sum(all(_text(f[j]) in known[j] for j in range(at + 1, width))
                   for f in fixed) / max(1, len(fixed))

    scores = [fits(at) for at in range(width)]
    if max(scores) >= 0.5:
        return named[max(range(width), key=lambda i: (scores[i], i))]
    clean = clean if len(clean) else frame[named]
    variety = [clean[c].nunique() / max(1, len(clean)) for c in named]
    lengths = [clean[c].map(lambda v: len(v) if isinstance(v, str) else 0).mean() for c in named]
    return named[max(range(width), key=lambda i: (variety[i], lengths[i], i))]


def _repeats(series: pd.Series) -> bool:
    """A column of repeating values (labels, ratings): matching one is evidence, matching a
    free text is chance."""
    return len(series) >= 2 and series.nunique() <= len(series) / 2


def realign(cells: list, width: int, at: int, delimiter: str, padded: bool) -> list:
    """One overflowing row put back into `width` fields: the pieces from field `at` on that
    overflowed are joined with the delimiter, the fields after them move back into place."""
    end = len(cells)
    while end > width and (cells[end - 1] is None or (not padded and _text(cells[end - 1]) == "")):
        end -= 1                                      # past the row's real end: padding
    over = end - width
    if over <= 0:
        return cells[:width]
    joined = delimiter.join(_text(c) for c in cells[at:at + over + 1])
    return cells[:at] + [joined] + cells[at + over + 1:end]


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return ""
    return str(value)


def rejoin_spilled(frame: pd.DataFrame, info: dict, fixes: dict | None
                   ) -> tuple[pd.DataFrame, pd.Series | None, list[Problem]]:
    """The frame with spilled rows realigned and the unnamed columns gone; the rows to exclude
    (a reason per row, or None) when the user chose exclude; the one Problem."""
    spill = find_spill(frame, info)
    if spill is None:
        return frame, None, []
    idx = np.flatnonzero(spill.rows)
    width, at = len(spill.named), spill.named.index(spill.target)
    cells = frame[spill.named + spill.extra].to_numpy(dtype=object)
    fixed = np.array([realign(list(cells[i]), width, at, spill.delimiter, spill.padded)
                      for i in idx], dtype=object).reshape(len(idx), width)
    # Excluded rows are realigned too: their listing shows what the row really held.
    frame = frame[spill.named].copy()
    for j in range(at, width):          # fields before the split one never move
        col = spill.named[j]
        values = frame[col].astype(object).to_numpy(copy=True)
        values[idx] = fixed[:, j]
        frame[col] = values
    action = ACTION_OF[choice(fixes, KIND)]
    names = spill.extra[0] if len(spill.extra) == 1 else f"{spill.extra[0]}..{spill.extra[-1]}"
    prob = problem(KIND, action, idx + 1, len(idx), columns=names, column=str(spill.target),
                   delimiter=DELIMITER_NAMES.get(spill.delimiter, repr(spill.delimiter)))
    reasons = None
    if action == "excluded":
        reasons = pd.Series([None] * len(frame), dtype=object)
        reasons.iloc[idx] = KIND
    return frame, reasons, [prob]
