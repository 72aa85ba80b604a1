"""Normalising: turn a raw frame and its roles into the task's example columns, excluding (and
reporting) unusable rows with their reason. Rows an earlier stage already excluded (text in
unnamed columns) arrive as `excluded_before` and take no part in the checks."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from studio.data import checks
from studio.data.conversations import messages_to_pair, render_messages, rows_to_messages
from studio.data.label_checks import clean_labels
from studio.data.problems import Problem, choice, problem, rows_of

REQUIRED = {"classification": ("text", "label"), "text2text": ("prompt", "response"),
            "chat": ("prompt", "response")}
ROLE_WORDS = {"text": "text", "label": "label", "prompt": "prompt / input",
              "response": "response / target", "messages": "conversation"}


def normalise(frame: pd.DataFrame, layout: str, roles: dict[str, str], task: str, *,
              system_prompt: str = "", fixes: dict | None = None,
              excluded_before: pd.Series | None = None
              ) -> tuple[pd.DataFrame, list[dict], list[Problem]]:
    """Usable examples in the task's columns, the excluded rows, and the problems found.
    `excluded_before`: per row, the reason an earlier stage excluded it, or None."""
    frame = frame.reset_index(drop=True)
    before = excluded_before if excluded_before is not None else \
        pd.Series([None] * len(frame), dtype=object)
    roles = _alias_inputs(roles, task)
    missing = _missing_roles(layout, roles, task)
    if missing:
        blocker = problem("missing_column", "blocking", [], 0,
                          role=ROLE_WORDS.get(missing, missing),
                          columns=", ".join(map(str, frame.columns)))
        if missing in ("label", "response") and layout not in ("messages", "sharegpt"):
            # Unlabelled files (to predict on) still yield their inputs; training refuses.
            examples, reasons, problems = _inputs_only(frame, roles, task, system_prompt, fixes,
                                                       before)
            keep = reasons.isna().to_numpy()
            return (examples[keep].reset_index(drop=True), excluded_rows(frame, reasons),
                    problems + [blocker])
        return _empty_examples(task), excluded_rows(frame, before), [blocker]
    if task == "classification":
        examples, reasons, problems = _classification(frame, roles, fixes, before)
    else:
        examples, reasons, problems = _generation(frame, layout, roles, task, system_prompt, fixes,
                                                  before)
    excluded = excluded_rows(frame, reasons)
    keep = reasons.isna().to_numpy()
    if not keep.all():
        examples = examples[keep].reset_index(drop=True)
    return examples, excluded, problems + final_checks(examples, len(frame), task)


def final_checks(examples: pd.DataFrame, total: int, task: str) -> list[Problem]:
    """Checks on the usable examples as a whole (`label` and `_row` are all they need)."""
    if len(examples) == 0 and total:
        return [problem("no_rows", "blocking", [], 0, total=total)]
    return _class_balance(examples) if task == "classification" else []


def _alias_inputs(roles: dict, task: str) -> dict:
    """A lone text column is the prompt of a generation task, and a prompt column the text
    of a classification task (files to predict on often hold just that one column)."""
    roles = dict(roles)
    if task in ("chat", "text2text") and not roles.get("prompt") and roles.get("text"):
        roles["prompt"] = roles.pop("text")
    if task == "classification" and not roles.get("text") and roles.get("prompt"):
        roles["text"] = roles.pop("prompt")
        roles.pop("response", None)
    return roles


def _inputs_only(frame, roles, task, system_prompt, fixes, before):
    """Examples holding only the inputs (text / prompt / user turn), blank ones excluded."""
    n = len(frame)
    row_numbers = np.arange(1, n + 1)
    reasons, problems = _Reasons(before), []
    if task == "classification":
        data = {"text": text_column(frame[roles["text"]])}
        if roles.get("text_pair"):
            data["text_pair"] = text_column(frame[roles["text_pair"]])
        blank = checks.blank(data["text"])
    else:
        prompts = text_column(frame[roles["prompt"]])
        if roles.get("input"):
            extra = text_column(frame[roles["input"]])
            prompts = pd.Series([f"{p}\n\n{x}" if x.strip() else p
                                 for p, x in zip(prompts, extra)], dtype=object)
        blank = checks.blank(prompts)
        if task == "text2text":
            data = {"prompt": prompts, "response": [""] * n}
        else:
            system = [text_column(frame[roles["system"]])[i] if roles.get("system") else ""
                      for i in range(n)]
            data = {"messages": [([{"role": "system", "content": s or system_prompt}]
                                  if (s or system_prompt) else []) +
                                 [{"role": "user", "content": p}]
                                 for s, p in zip(system, prompts)]}
    data["_row"] = row_numbers
    _apply(problems, reasons, "empty_text", blank & reasons.live, row_numbers, fixes)
    return pd.DataFrame(data), reasons.values, problems


def _missing_roles(layout, roles, task) -> str:
    if task in ("chat", "text2text") and layout in ("messages", "sharegpt"):
        return "" if roles.get("messages") else "messages"
    if task == "classification" and layout in ("messages", "sharegpt"):
        return "label"
    for role in REQUIRED.get(task, ()):
        if not roles.get(role):
            return role
    return ""


def _empty_examples(task: str) -> pd.DataFrame:
    cols = {"classification": ["text", "label"], "chat": ["messages"],
            "text2text": ["prompt", "response"]}.get(task, [])
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols + ["_row"]})


def excluded_rows(frame: pd.DataFrame, reasons: pd.Series) -> list[dict]:
    idx = np.flatnonzero(reasons.notna().to_numpy())
    if not len(idx):
        return []
    records = frame.iloc[idx].to_dict("records")
    return [{"row": int(i) + 1, "reason": reasons.iat[i], "data": jsonable(r)}
            for i, r in zip(idx, records)]


def text_column(series: pd.Series) -> pd.Series:
    """Cells as strings; missing cells as ''. Keeps pyarrow-backed strings as they are."""
    if pd.api.types.is_string_dtype(series) and series.dtype != object:
        return series.fillna("") if series.hasnans else series
    return series.map(_cell_text).astype(object)


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Reasons:
    """First reason each row is excluded for; None while the row is still in."""

    def __init__(self, before: pd.Series):
        self.values = before.reset_index(drop=True).astype(object).copy()

    @property
    def live(self) -> np.ndarray:
        return self.values.isna().to_numpy()

    def mark(self, mask, kind: str) -> None:
        mask = np.asarray(mask, dtype=bool) & self.live
        self.values[mask] = kind


def _classification(frame, roles, fixes, before):
    n = len(frame)
    row_numbers = np.arange(1, n + 1)
    data = {"text": text_column(frame[roles["text"]])}
    if roles.get("text_pair"):
        data["text_pair"] = text_column(frame[roles["text_pair"]])
    labels, missing_label, problems = clean_labels(frame[roles["label"]], row_numbers, fixes)
    data["label"] = labels.to_numpy()
    data["_row"] = row_numbers
    examples = pd.DataFrame(data)
    text_cols = ["text"] + (["text_pair"] if "text_pair" in examples else [])
    signals = text_signals([examples[c] for c in text_cols])
    reasons, problems = classification_checks(examples["label"], missing_label, problems, signals,
                                              row_numbers, fixes, before,
                                              keys=examples[text_cols + ["label"]])
    return examples, reasons, problems


@dataclass
class TextSignals:
    """What the row checks need from the texts of a classification file, computed once (or
    chunk by chunk for a big file, see studio.data.stream): blank rows, a hash per row of its
    texts, rows with template placeholders and the first placeholder seen."""
    blank: np.ndarray
    hashes: np.ndarray
    placeholder: np.ndarray
    example: str = ""


def text_signals(texts: list[pd.Series]) -> TextSignals:
    """`texts`: the text column, then the text pair column if there is one."""
    # Hash the texts once: duplicates, conflicts and (later) overlap all compare them.
    hashes = checks.row_hashes(pd.DataFrame({f"t{i}": s for i, s in enumerate(texts)}))
    holes, example = checks.placeholder_rows(texts)
    return TextSignals(checks.blank(texts[0]), hashes, holes, example)


def classification_checks(labels: pd.Series, missing_label: np.ndarray, problems: list,
                          signals: TextSignals, row_numbers: np.ndarray, fixes, before,
                          keys: pd.DataFrame | None = None) -> tuple[pd.Series, list[Problem]]:
    """The reason each row is excluded (None: kept) and the problems, from the cleaned labels
    and the text signals. `keys` (texts and label) confirm equal hashes as equal rows; without
    them (a streamed big file) equal 64-bit hashes count as equal rows."""
    reasons = _Reasons(before)
    _apply(problems, reasons, "empty_text", signals.blank & reasons.live, row_numbers, fixes)
    reasons.mark(missing_label, "missing_label")
    label_codes = pd.factorize(labels)[0]
    dup = checks.duplicate_rows(keys, reasons.live,
                                checks.with_codes(signals.hashes, label_codes))
    _apply(problems, reasons, "duplicate", dup, row_numbers, fixes)
    conflict = checks.conflicting_rows(signals.hashes, label_codes, reasons.live)
    _apply(problems, reasons, "conflicting_label", conflict, row_numbers, fixes)
    _apply(problems, reasons, "placeholder", signals.placeholder & reasons.live, row_numbers,
           fixes, example=signals.example)
    rare = checks.rare_classes(labels[reasons.live])
    if rare and choice(fixes, "rare_class") == "exclude":
        mask = labels.isin(rare).to_numpy() & reasons.live
        problems.append(problem("rare_class", "excluded", rows_of(mask, row_numbers),
                                int(mask.sum()), classes=len(rare), names=", ".join(rare[:5])))
        reasons.mark(mask, "rare_class")
    return reasons.values, problems


def _apply(problems, reasons, kind, mask, row_numbers, fixes, **params) -> None:
    """Report `mask` rows as one Problem and exclude them if that is the chosen action."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    action = checks.ACTION_OF[choice(fixes, kind)]
    problems.append(problem(kind, action, rows_of(mask, row_numbers), int(mask.sum()), **params))
    if action == "excluded":
        reasons.mark(mask, kind)


def _class_balance(examples: pd.DataFrame) -> list[Problem]:
    counts = examples["label"].value_counts()
    if len(counts) == 1:
        return [problem("single_class", "blocking", examples["_row"].head(5).tolist(),
                        int(counts.iloc[0]), label=str(counts.index[0]))]
    rare = sorted(str(k) for k, v in counts.items() if v < 2)
    if not rare:
        return []
    rows = examples.loc[examples["label"].isin(rare), "_row"].tolist()
    return [problem("rare_class", "warning", rows, len(rows), classes=len(rare),
                    names=", ".join(rare[:5]))]


GENERATION_KINDS = ("bad_messages", "unknown_role", "no_assistant", "not_ending_with_assistant",
                    "empty_text", "no_trained_reply", "non_text_content", "partial_loss_weight")


def _generation(frame, layout, roles, task, system_prompt, fixes, before):
    n = len(frame)
    row_numbers = np.arange(1, n + 1)
    conversations, found = rows_to_messages(frame, layout, roles, system_prompt, fixes)
    reasons = _Reasons(before)
    problems = []
    for kind in GENERATION_KINDS:
        mask, action, params = found.get(kind, (None, None, {}))
        mask = None if mask is None else mask & reasons.live
        if mask is None or not mask.any():
            continue
        problems.append(problem(kind, action, rows_of(mask, row_numbers), int(mask.sum()),
                                **params))
        if action == "excluded":
            reasons.mark(mask, kind)
    if task == "chat":
        examples = pd.DataFrame({"messages": conversations, "_row": row_numbers})
        keys = pd.DataFrame({"k": [json.dumps(m, ensure_ascii=False) if m else "" for m in
                                   conversations]})
        texts = [pd.Series([render_messages(m) for m in conversations], dtype=object)]
    else:
        pairs = [messages_to_pair(m) if m else ("", "") for m in conversations]
        examples = pd.DataFrame({"prompt": [p for p, _ in pairs], "response": [r for _, r in pairs],
                                 "_row": row_numbers})
        keys = examples[["prompt", "response"]]
        texts = [examples["prompt"], examples["response"]]
    dup = checks.duplicate_rows(keys, reasons.live)
    _apply(problems, reasons, "duplicate", dup, row_numbers, fixes)
    holes, example = checks.placeholder_rows(texts)
    _apply(problems, reasons, "placeholder", holes & reasons.live, row_numbers, fixes,
           example=example)
    return examples, reasons.values, problems


def jsonable(value):
    """Plain JSON types: NaN -> None, numpy -> Python, arrays -> lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def label_counts(examples: pd.DataFrame, task: str) -> dict[str, int]:
    """Examples per label, in label order; {} for generation tasks."""
    if task != "classification" or "label" not in examples:
        return {}
    counts = examples["label"].value_counts()
    return {str(k): int(counts[k]) for k in sort_labels(list(counts.index))}


def sort_labels(labels: list) -> list[str]:
    """Numerically when every label is an integer, else alphabetically."""
    labels = [str(x) for x in labels]
    try:
        return sorted(labels, key=lambda s: (int(s), s))
    except ValueError:
        return sorted(labels)
