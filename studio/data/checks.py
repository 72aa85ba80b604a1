"""Data checks: each finds one kind of problem, applies the chosen action and reports a Problem.

Actions: "fixed" (changed in place, with a note), "excluded" (row left out, listed with its
reason), "blocking" (nothing can train until the user acts) and "warning" (kept, but worth a look).
The user can override the default per kind with `fixes = {kind: "fix" | "exclude" | "keep"}`.
Messages are English sentences; every number in them is also in the Problem's fields or params.
"""
from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

MAX_EXAMPLE_ROWS = 5
PLACEHOLDER = re.compile(r"\{\{\s*[\w.\- ]{1,40}\s*\}\}")
NUMERIC = re.compile(r"^[+-]?\d+(?:\.0*)?$")

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
}
ALIASES = {"merge": "fix", "drop": "exclude", "remove": "exclude", "ignore": "keep",
           "warn": "keep", "strip": "fix"}
ACTION_OF = {"fix": "fixed", "exclude": "excluded", "keep": "warning"}

# "[a|b]" picks the singular or plural wording for the count.
MESSAGES = {
    ("empty_text", "excluded"):
        "{count} [row has|rows have] an empty or whitespace-only text and [was|were] excluded.",
    ("empty_text", "warning"):
        "{count} [row has|rows have] an empty or whitespace-only text and [is|are] kept as you "
        "chose.",
    ("missing_label", "excluded"):
        "{count} [row has|rows have] no label and [was|were] excluded; fill in the labels to use "
        "them.",
    ("label_whitespace", "fixed"):
        "{count} [label had|labels had] stray spaces around [it|them], which were removed.",
    ("label_whitespace", "warning"):
        "{count} [label has|labels have] stray spaces and count as separate classes; choose fix "
        "to strip them.",
    ("label_case", "fixed"):
        "{count} [label differed|labels differed] from another label only in upper/lower case "
        "(e.g. {example}) and [was|were] merged into the more frequent spelling.",
    ("label_case", "warning"):
        "{count} [label differs|labels differ] from another label only in upper/lower case (e.g. "
        "{example}) and [is|are] kept as separate classes.",
    ("numeric_label_text", "fixed"):
        "{count} numeric [label was|labels were] written as text or in another form (e.g. "
        "{example}) and [was|were] made consistent.",
    ("numeric_label_text", "warning"):
        "{count} numeric [label is|labels are] written as text or in another form (e.g. "
        "{example}) and count as separate classes.",
    ("single_class", "blocking"):
        "All {count} usable [row has|rows have] the same label '{label}'; add examples of at "
        "least one other class.",
    ("rare_class", "warning"):
        "{count} [row belongs|rows belong] to classes with fewer than 2 examples ({names}), so "
        "[it stays|they stay] in training and none go to validation; add examples or exclude "
        "them.",
    ("rare_class", "excluded"):
        "{count} [row|rows] of classes with fewer than 2 examples ({names}) [was|were] excluded.",
    ("duplicate", "excluded"):
        "{count} [row repeats|rows repeat] an earlier row exactly and [was|were] excluded.",
    ("duplicate", "warning"):
        "{count} [row repeats|rows repeat] an earlier row exactly and [is|are] kept as you chose.",
    ("conflicting_label", "warning"):
        "{count} [row shares its|rows share their] text with a row of a different label; check "
        "[it|them] or choose exclude.",
    ("conflicting_label", "excluded"):
        "{count} [row shares its|rows share their] text with a row of a different label and "
        "[was|were] excluded.",
    ("train_val_overlap", "excluded"):
        "{count} validation [row also appears|rows also appear] in the training data and "
        "[was|were] left out of validation so scores are not inflated.",
    ("train_val_overlap", "fixed"):
        "{count} held-out [row also appears|rows also appear] in the training data and [was|were]"
        " moved back to training so scores are not inflated.",
    ("train_val_overlap", "warning"):
        "{count} validation [row also appears|rows also appear] in the training data, which "
        "inflates validation scores.",
    ("placeholder", "warning"):
        "{count} [row still contains|rows still contain] template placeholders such as {example};"
        " replace them before training or choose exclude.",
    ("placeholder", "excluded"):
        "{count} [row contains|rows contain] template placeholders such as {example} and "
        "[was|were] excluded.",
    ("too_long", "warning"):
        "{count} [example|examples] ({share}%) [is|are] longer than {max_length} tokens and will "
        "be truncated.",
    ("too_long", "estimated"):
        "About {count} [example|examples] ({share}%, measured on a sample of {sample}) [is|are] "
        "longer than {max_length} tokens and will be truncated.",
    ("too_long", "excluded"):
        "{count} [example|examples] ({share}%) longer than {max_length} tokens [was|were] "
        "excluded.",
    ("unknown_role", "excluded"):
        "{count} [conversation contains|conversations contain] a message role other than system, "
        "user or assistant (e.g. '{role}') and [was|were] excluded.",
    ("unknown_role", "fixed"):
        "{count} [conversation contains|conversations contain] messages with a role other than "
        "system, user or assistant (e.g. '{role}'); those messages were dropped.",
    ("not_ending_with_assistant", "fixed"):
        "{count} [conversation does|conversations do] not end with an assistant reply; the "
        "messages after the last reply were dropped.",
    ("not_ending_with_assistant", "excluded"):
        "{count} [conversation does|conversations do] not end with an assistant reply and "
        "[was|were] excluded.",
    ("no_assistant", "excluded"):
        "{count} [conversation has|conversations have] no assistant reply to learn from and "
        "[was|were] excluded.",
    ("bad_messages", "excluded"):
        "{count} [row does|rows do] not hold a list of messages and [was|were] excluded.",
    ("non_text_content", "warning"):
        "{count} [conversation holds|conversations hold] non-text parts (e.g. images), which are "
        "left out; only text is trained on.",
    ("unseen_label", "excluded"):
        "{count} validation [row has a label|rows have labels] that never [occurs|occur] in "
        "training ({names}) and [was|were] left out.",
    ("unseen_label", "warning"):
        "{count} validation [row has a label|rows have labels] that never [occurs|occur] in "
        "training ({names}).",
    ("missing_column", "blocking"):
        "No {role} column was found among the columns {columns}; choose the column that holds the"
        " {role}.",
    ("no_rows", "blocking"):
        "No usable rows are left out of {total}; see the excluded rows for the reasons.",
}
PLURAL = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")


@dataclass
class Problem:
    kind: str
    count: int
    rows: list[int]
    action: str
    message: str
    params: dict = field(default_factory=dict)


def problem(kind: str, action: str, rows, count: int | None = None, *, template: str = "",
            **params) -> Problem:
    """Build a Problem; `rows` are 1-based row numbers (any iterable), the first few are kept.
    `template` picks another wording of the same kind and action (e.g. "estimated")."""
    rows = [int(r) for r in (rows[:MAX_EXAMPLE_ROWS] if isinstance(rows, list) else
                             list(_first(rows, MAX_EXAMPLE_ROWS)))]
    count = len(rows) if count is None else int(count)
    template = MESSAGES.get((kind, template or action),
                            "{count} [row|rows]: " + kind.replace("_", " ") + ".")
    template = PLURAL.sub(lambda m: m.group(1) if count == 1 else m.group(2), template)
    message = template.format(count=count, **params)
    return Problem(kind, count, rows, action, message, params)


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


# ---- labels --------------------------------------------------------------------------------

def clean_labels(raw: pd.Series, row_numbers: np.ndarray, fixes
                 ) -> tuple[pd.Series, np.ndarray, list[Problem]]:
    """Labels as strings with the chosen fixes applied; also the mask of missing labels.

    Works on the distinct values only, so a million rows with three labels cost three lookups.
    """
    problems = []
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    uniques = list(uniques)
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


# ---- row checks shared by every task -------------------------------------------------------

HASH_CHUNK = 100_000


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash per row, computed in chunks so a million long texts never exist twice in
    memory (factorising the whole column would copy every distinct string at once)."""
    out = np.empty(len(frame), dtype=np.uint64)
    for start in range(0, len(frame), HASH_CHUNK):
        part = frame.iloc[start:start + HASH_CHUNK]
        out[start:start + len(part)] = pd.util.hash_pandas_object(part, index=False).to_numpy()
    return out


def duplicate_rows(keys: pd.DataFrame, live: np.ndarray, hashes=None) -> np.ndarray:
    """Rows (among live ones) that repeat an earlier live row exactly (`hashes`: precomputed)."""
    dup = np.zeros(len(keys), dtype=bool)
    idx = np.flatnonzero(live)
    if not len(idx):
        return dup
    hashes = pd.Series((row_hashes(keys) if hashes is None else hashes)[idx])
    candidates = hashes.duplicated(keep="first").to_numpy()
    if not candidates.any():
        return dup
    firsts = ~candidates & np.isin(hashes.to_numpy(), hashes[candidates].to_numpy())
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
    out[idx] = np.isin(text, shared)
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
    hit = np.isin(key_hash, ref_hash)
    if hit.any():
        exact = {reference.iat[i] for i in np.flatnonzero(np.isin(ref_hash, key_hash[hit]))}
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
