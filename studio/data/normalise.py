"""Normalising: turn a raw frame and its roles into the task's example columns, excluding (and
reporting) unusable rows with their reason. Rows an earlier stage already excluded (text in
unnamed columns) arrive as `excluded_before` and take no part in the checks."""
from __future__ import annotations

import json
import math

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
    if len(examples) == 0 and len(frame):
        problems.append(problem("no_rows", "blocking", [], 0, total=len(frame)))
    elif task == "classification":
        problems += _class_balance(examples)
    return examples, excluded, problems


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
    reasons = _Reasons(before)
    data = {"text": text_column(frame[roles["text"]])}
    if roles.get("text_pair"):
        data["text_pair"] = text_column(frame[roles["text_pair"]])
    labels, missing_label, problems = clean_labels(frame[roles["label"]], row_numbers, fixes)
    data["label"] = labels.to_numpy()
    data["_row"] = row_numbers
    examples = pd.DataFrame(data)

    empty = checks.blank(examples["text"]) & reasons.live
    _apply(problems, reasons, "empty_text", empty, row_numbers, fixes)
    reasons.mark(missing_label, "missing_label")
    text_cols = ["text"] + (["text_pair"] if "text_pair" in examples else [])
    # Hash the texts once: duplicates, conflicts and (later) overlap all compare them.
    text_hash = checks.row_hashes(examples[text_cols])
    label_codes = pd.factorize(examples["label"])[0]
    dup = checks.duplicate_rows(examples[text_cols + ["label"]], reasons.live,
                                checks.with_codes(text_hash, label_codes))
    _apply(problems, reasons, "duplicate", dup, row_numbers, fixes)
    conflict = checks.conflicting_rows(text_hash, label_codes, reasons.live)
    _apply(problems, reasons, "conflicting_label", conflict, row_numbers, fixes)
    holes, example = checks.placeholder_rows([examples[c] for c in text_cols])
    _apply(problems, reasons, "placeholder", holes & reasons.live, row_numbers, fixes,
           example=example)
    rare = checks.rare_classes(examples["label"][reasons.live])
    if rare and choice(fixes, "rare_class") == "exclude":
        mask = examples["label"].isin(rare).to_numpy() & reasons.live
        problems.append(problem("rare_class", "excluded", rows_of(mask, row_numbers),
                                int(mask.sum()), classes=len(rare), names=", ".join(rare[:5])))
        reasons.mark(mask, "rare_class")
    return examples, reasons.values, problems


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
