"""Problems: what a data check reports, in words, and which action the user chose for it.

Actions: "fixed" (changed in place, with a note), "excluded" (row left out, listed with its
reason), "blocking" (nothing can train until the user acts) and "warning" (kept, but worth a look).
The user can override the default per kind with `fixes = {kind: "fix" | "exclude" | "keep"}`.
Messages are English sentences from studio/wording/en.py PROBLEMS; every number in them is also in
the Problem's fields or params (the page words them from the kind, action and params).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..wording import problem_sentence
from ..wording.en import PROBLEMS

log = logging.getLogger(__name__)

MAX_EXAMPLE_ROWS = 5

# kind -> (default choice, allowed choices); "fix" merges/strips, "exclude" drops, "keep" warns.
CHOICES = {
    "empty_text": ("exclude", {"exclude", "keep"}),
    "missing_label": ("exclude", {"exclude"}),
    "label_whitespace": ("fix", {"fix", "keep"}),
    "label_case": ("fix", {"fix", "keep"}),
    "numeric_label_text": ("fix", {"fix", "keep"}),
    "duplicate": ("exclude", {"exclude", "keep"}),
    "conflicting_label": ("keep", {"keep", "exclude"}),
    "rare_class": ("keep", {"keep", "exclude"}),
    "train_val_overlap": ("exclude", {"exclude", "keep"}),
    "placeholder": ("keep", {"keep", "exclude"}),
    "too_long": ("keep", {"keep", "exclude"}),
    "unknown_role": ("exclude", {"exclude", "fix"}),
    "not_ending_with_assistant": ("fix", {"fix", "exclude"}),
    "unseen_label": ("exclude", {"exclude", "keep"}),
    # data.unnamed_columns in the job: "join" (= fix) or "exclude"
    "unnamed_columns": ("fix", {"fix", "exclude"}),
}
ALIASES = {"merge": "fix", "drop": "exclude", "remove": "exclude", "ignore": "keep",
           "warn": "keep", "strip": "fix", "join": "fix"}
ACTION_OF = {"fix": "fixed", "exclude": "excluded", "keep": "warning"}


@dataclass
class Problem:
    kind: str
    count: int
    rows: list[int]
    action: str
    message: str
    params: dict = field(default_factory=dict)
    wording: str = ""               # the catalogue key's second half when it is not `action`


def problem(kind: str, action: str, rows, count: int | None = None, *, template: str = "",
            **params) -> Problem:
    """Build a Problem; `rows` are 1-based row numbers (any iterable), the first few are kept.
    `template` picks another wording of the same kind and action (e.g. "estimated")."""
    rows = [int(r) for r in (rows[:MAX_EXAMPLE_ROWS] if isinstance(rows, list) else
                             list(_first(rows, MAX_EXAMPLE_ROWS)))]
    count = len(rows) if count is None else int(count)
    sentence = PROBLEMS.get((kind, template or action),
                            "{count} [row|rows]: " + kind.replace("_", " ") + ".")
    return Problem(kind, count, rows, action, problem_sentence(sentence, count, params), params,
                   template)


def _first(values, n):
    for i, v in enumerate(values):
        if i >= n:
            return
        yield v


def choice(fixes: dict | None, kind: str) -> str:
    """The user's choice for a kind ("fix" | "exclude" | "keep"), or the default."""
    default, allowed = CHOICES.get(kind, ("keep", {"keep"}))
    wanted = (fixes or {}).get(kind, default)
    wanted = ALIASES.get(str(wanted).lower(), str(wanted).lower())
    if wanted not in allowed:
        log.warning("fix %r is not available for %s; using %r", wanted, kind, default)
        return default
    return wanted


def rows_of(mask: pd.Series | np.ndarray, row_numbers: np.ndarray) -> np.ndarray:
    return row_numbers[np.asarray(mask, dtype=bool)]
