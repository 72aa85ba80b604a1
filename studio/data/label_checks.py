"""Label checks: stray spaces, case variants and numbers written as text, fixed on the distinct
values of the label column (three labels cost three lookups, whatever the row count)."""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from studio.data.problems import ACTION_OF, MAX_EXAMPLE_ROWS, Problem, choice, problem, rows_of

NUMERIC = re.compile(r"^[+-]?\d+(?:\.0*)?$")


def clean_labels(raw: pd.Series, row_numbers: np.ndarray, fixes
                 ) -> tuple[pd.Series, np.ndarray, list[Problem]]:
    """Labels as strings with the chosen fixes applied; also the mask of missing labels.

    Works on the distinct values only, so a million rows with three labels cost three lookups.
    """
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    return clean_coded(codes, list(uniques), row_numbers, fixes)


def clean_coded(codes: np.ndarray, uniques: list, row_numbers: np.ndarray, fixes
                ) -> tuple[pd.Series, np.ndarray, list[Problem]]:
    """clean_labels on labels already factorised: `uniques` in order of first appearance,
    `codes` index them (-1: missing). A big file is factorised chunk by chunk this way."""
    problems = []
    text = [_label_text(v) for v in uniques]
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)) if len(uniques) else np.zeros(0)

    stripped = [t.strip() for t in text]
    ws_choice = choice(fixes, "label_whitespace")
    ws_changed = [t != s and s != "" for t, s in zip(text, stripped)]
    if any(ws_changed):
        problems.append(_label_problem("label_whitespace", ACTION_OF[ws_choice], ws_changed,
                                       codes, row_numbers))
    final = stripped if ws_choice == "fix" else text

    numeric = _numeric_variants(uniques, final)
    if any(numeric):
        num_choice = choice(fixes, "numeric_label_text")
        example = next(repr(final[i]) for i, n in enumerate(numeric) if n)
        problems.append(_label_problem("numeric_label_text", ACTION_OF[num_choice], numeric,
                                       codes, row_numbers, example=example))
        if num_choice == "fix":
            final = [_canonical_number(f) if n else f for f, n in zip(final, numeric)]

    case_map, example = _case_merge(final, counts)
    if case_map:
        case_choice = choice(fixes, "label_case")
        changed = [f in case_map for f in final]
        problems.append(_label_problem("label_case", ACTION_OF[case_choice], changed, codes,
                                       row_numbers, example=example))
        if case_choice == "fix":
            final = [case_map.get(f, f) for f in final]

    lookup = np.array(final + [""], dtype=object)        # index -1 (missing) -> ""
    labels = pd.Series(lookup[codes], dtype=object)
    missing = np.array([f.strip() == "" for f in final] + [True])[codes]
    if missing.any():
        problems.append(problem("missing_label", "excluded", rows_of(missing, row_numbers),
                                int(missing.sum())))
    return labels, missing, problems


def _label_problem(kind, action, changed, codes, row_numbers, **params) -> Problem:
    idx = np.flatnonzero(np.isin(codes, np.flatnonzero(changed)))
    return problem(kind, action, row_numbers[idx[:MAX_EXAMPLE_ROWS]], len(idx), **params)


def _label_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def _numeric_variants(uniques: list, final: list[str]) -> list[bool]:
    """Integer labels written as text ("1" next to 1) or in another form ("1.0", "01", "+1")."""
    if not final:
        return []
    real_numbers = any(isinstance(u, (int, float, np.integer, np.floating))
                       and not isinstance(u, (bool, np.bool_)) for u in uniques)
    all_numeric = all(NUMERIC.match(f) or f == "" for f in final)
    if not all_numeric:
        return [False] * len(final)
    return [isinstance(u, str) and f != "" and (real_numbers or _canonical_number(f) != f)
            for u, f in zip(uniques, final)]


def _canonical_number(text: str) -> str:
    return str(int(float(text)))


def _case_merge(final: list[str], counts) -> tuple[dict, str]:
    """Map each case variant to the most frequent spelling of its casefolded form."""
    totals: dict[str, dict[str, int]] = {}
    for label, n in zip(final, counts):
        if label:
            group = totals.setdefault(label.casefold(), {})
            group[label] = group.get(label, 0) + int(n)
    mapping, example = {}, ""
    for group in totals.values():
        if len(group) > 1:
            best = max(group, key=lambda k: (group[k], -list(group).index(k)))
            for variant in group:
                if variant != best:
                    mapping[variant] = best
                    example = example or f"'{variant}' vs '{best}'"
    return mapping, example
