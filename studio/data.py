"""Training data: read any table or chat file, guess what each column is, normalise and check it.

The flow is read_table -> guess_roles -> infer_task -> normalise (+ checks) -> split_validation.
`inspect_file` runs it for the Data step and `python -m studio inspect`; `load_job_data` runs it for
a training job and raises a DataError for anything blocking. No row is ever silently lost: rows
that cannot be used are listed in `excluded` with their reason and 1-based row number (`_row`).
"""
from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from studio import checks
from studio.checks import Problem, choice, problem, rows_of
from studio.formats import (CHAT_LAYOUTS, DataError, detect_chat_layout, find_messages_column,
                            messages_to_pair, read_any, render_messages, rows_to_messages)

if TYPE_CHECKING:
    from studio.config import JobConfig

log = logging.getLogger(__name__)

__all__ = ["DataError", "Problem", "Inspection", "JobData", "read_table", "guess_roles",
           "infer_task", "inspect_file", "normalise", "split_validation", "load_job_data"]

PREVIEW_ROWS = 20
GUESS_SAMPLE = 5000
LABEL_NAMES = ["label", "labels", "class", "category", "sentiment", "target", "y", "intent",
               "tag", "topic", "emotion", "polarity", "gold_label", "rating", "stars",
               "标签", "类别", "分类", "情感", "类型"]
TEXT_NAMES = ["text", "sentence", "content", "review", "comment", "document", "body", "tweet",
              "utterance", "message", "query", "question", "sentence1", "text_a", "premise",
              "title", "文本", "内容", "句子", "评论", "文字"]
PAIR_NAMES = [("sentence1", "sentence2"), ("text_a", "text_b"), ("premise", "hypothesis"),
              ("question1", "question2"), ("question", "sentence"), ("question", "passage"),
              ("query", "passage"), ("text", "text_pair"), ("text1", "text2")]
T2T_NAMES = [("prompt", "response"), ("prompt", "completion"), ("prompt", "answer"),
             ("prompt", "output"), ("input", "output"), ("input", "target"),
             ("instruction", "output"), ("instruction", "response"), ("question", "answer"),
             ("query", "response"), ("query", "answer"), ("source", "target"), ("src", "tgt"),
             ("article", "summary"), ("article", "highlights"), ("document", "summary"),
             ("text", "summary"), ("dialogue", "summary"), ("context", "response"),
             ("input_text", "target_text"), ("inputs", "targets"), ("x", "y")]
LANG_CODES = {"en", "zh", "fr", "de", "es", "it", "pt", "ru", "ja", "ko", "ar", "nl", "sv", "pl",
              "tr", "vi", "th", "id", "hi", "cs", "uk", "fi", "da", "no", "el", "he", "ro", "hu"}
ID_NAMES = {"id", "idx", "index", "uid", "guid", "key", "row", "_row"}


# ---- results -------------------------------------------------------------------------------

@dataclass
class Inspection:
    path: str
    format: str
    encoding: str
    layout: str
    columns: list[str]
    roles: dict[str, str]
    task: str
    labels: dict[str, int]
    rows: int
    excluded: list[dict]
    problems: list[Problem]
    frame: pd.DataFrame = field(repr=False)
    examples: pd.DataFrame = field(repr=False)
    sheets: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)     # delimiter, header, sheet: how it was read

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.action == "blocking"]

    def to_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("path", "format", "encoding", "layout", "columns",
                                             "roles", "task", "labels", "rows", "sheets")}
        out["details"] = jsonable(self.details)
        out["excluded"] = jsonable(self.excluded)
        out["problems"] = [jsonable(asdict(p)) for p in self.problems]
        out["preview"] = jsonable(self.frame.head(PREVIEW_ROWS).to_dict("records"))
        return out


@dataclass
class JobData:
    task: str
    train: pd.DataFrame
    validation: pd.DataFrame
    labels: list[str]
    roles: dict[str, str]
    inspection: Inspection
    validation_inspection: Inspection | None = None


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


# ---- reading and guessing ------------------------------------------------------------------

def read_table(path, *, encoding: str = "", sheet: str = "", max_rows: int = 0, nrows=None,
               header: bool | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a file into a raw frame. `nrows` (preview) and `max_rows` stop reading early."""
    limits = [n for n in (max_rows, nrows) if n]
    frame, info = read_any(path, encoding=encoding, sheet=sheet,
                           limit=min(limits) if limits else 0, header=header)
    info["layout"] = detect_layout(frame)
    return frame, info


def detect_layout(frame: pd.DataFrame) -> str:
    chat = detect_chat_layout(frame)
    if chat:
        return chat
    roles = guess_roles(frame, "table")
    return "pairs" if "prompt" in roles and "label" not in roles else "table"


def _norm(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def guess_roles(frame: pd.DataFrame, layout: str) -> dict[str, str]:
    """role -> column, from column names first and the values second."""
    names = {_norm(c): c for c in frame.columns}
    if layout in CHAT_LAYOUTS:
        return _chat_roles(frame, layout, names)
    sample = frame.head(GUESS_SAMPLE)
    pair = _t2t_pair(names, sample)
    if pair and _label_like(sample[pair[1]], strict=True):
        pair = None                 # e.g. input/target where the target is a class
    label = None if pair else next((names[n] for n in LABEL_NAMES if n in names
                                    and _label_like(sample[names[n]], strict=False)), None)
    if label is None and pair is None:
        label = next((c for c in frame.columns if _norm(c) not in ID_NAMES
                      and _label_like(sample[c], strict=True)), None)
    if pair:
        return {"prompt": pair[0], "response": pair[1]}
    rest = [c for c in frame.columns if c != label and _norm(c) not in ID_NAMES
            and _texty(sample[c])]
    if label is None and len(rest) >= 2:
        return {"prompt": rest[0], "response": rest[1]}
    roles = {}
    text = next((names[n] for n in TEXT_NAMES if n in names and names[n] in rest), None)
    text = text or max(rest, key=lambda c: _mean_len(sample[c]), default=None)
    if text:
        roles["text"] = text
        partner = next((names[b] for a, b in PAIR_NAMES if names.get(a) == text and b in names
                        and names[b] != label), None)
        if partner:
            roles["text_pair"] = partner
    if label:
        roles["label"] = label
    return roles


def _chat_roles(frame, layout, names) -> dict[str, str]:
    if layout == "alpaca":
        roles = {"prompt": names["instruction"],
                 "response": names.get("output") or names.get("response")}
        for role in ("input", "system", "history"):
            if role in names:
                roles[role] = names[role]
        return roles
    roles = {"messages": find_messages_column(frame)}
    if "system" in names:
        roles["system"] = names["system"]
    return roles


def _t2t_pair(names: dict, sample: pd.DataFrame):
    for a, b in T2T_NAMES:
        if a in names and b in names:
            return names[a], names[b]
    langs = [c for n, c in names.items() if n in LANG_CODES]
    if len(langs) >= 2:
        return langs[0], langs[1]
    return None


def _label_like(series: pd.Series, strict: bool) -> bool:
    values = series.dropna()
    if len(values) == 0 or values.map(lambda v: isinstance(v, (list, dict))).any():
        return False
    values = values.astype(str).str.strip()
    values = values[values != ""]
    n, distinct = len(values), values.nunique()
    if n == 0 or values.str.len().mean() > 40:
        return False
    if strict:      # no telling name: needs few, short, repeating values
        return 2 <= distinct <= 20 and distinct <= n / 2 and values.str.len().mean() <= 20
    return distinct <= max(20, n / 2) and distinct <= 1000     # named like a label


def _texty(series: pd.Series) -> bool:
    values = series.dropna()
    return len(values) > 0 and not values.map(lambda v: isinstance(v, (list, dict))).any()


def _mean_len(series: pd.Series) -> float:
    return float(series.dropna().astype(str).str.len().mean() or 0.0)


def infer_task(layout: str, roles: dict[str, str], family: str = "auto") -> str:
    """classification when there is a label; chat for conversations; text2text for pairs."""
    if "label" in roles:
        return "classification"
    if layout in CHAT_LAYOUTS:
        return "text2text" if family == "t5" else "chat"
    if "prompt" in roles and "response" in roles and family != "bert":
        return "text2text"
    return "classification" if family == "bert" or "text" in roles else "text2text"


# ---- normalising ---------------------------------------------------------------------------

REQUIRED = {"classification": ("text", "label"), "text2text": ("prompt", "response"),
            "chat": ("prompt", "response")}
ROLE_WORDS = {"text": "text", "label": "label", "prompt": "prompt / input",
              "response": "response / target", "messages": "conversation"}


def normalise(frame: pd.DataFrame, layout: str, roles: dict[str, str], task: str, *,
              system_prompt: str = "", fixes: dict | None = None
              ) -> tuple[pd.DataFrame, list[dict], list[Problem]]:
    """Usable examples in the task's columns, the excluded rows, and the problems found."""
    frame = frame.reset_index(drop=True)
    roles = _alias_inputs(roles, task)
    missing = _missing_roles(layout, roles, task)
    if missing:
        blocker = problem("missing_column", "blocking", [], 0,
                          role=ROLE_WORDS.get(missing, missing),
                          columns=", ".join(map(str, frame.columns)))
        if missing in ("label", "response") and layout not in ("messages", "sharegpt"):
            # Unlabelled files (to predict on) still yield their inputs; training refuses.
            examples, reasons, problems = _inputs_only(frame, roles, task, system_prompt, fixes)
            keep = reasons.isna().to_numpy()
            return (examples[keep].reset_index(drop=True), excluded_rows(frame, reasons),
                    problems + [blocker])
        return _empty_examples(task), [], [blocker]
    if task == "classification":
        examples, reasons, problems = _classification(frame, roles, fixes)
    else:
        examples, reasons, problems = _generation(frame, layout, roles, task, system_prompt, fixes)
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


def _inputs_only(frame, roles, task, system_prompt, fixes):
    """Examples holding only the inputs (text / prompt / user turn), blank ones excluded."""
    n = len(frame)
    row_numbers = np.arange(1, n + 1)
    reasons, problems = _Reasons(n), []
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
    _apply(problems, reasons, "empty_text", blank, row_numbers, fixes)
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

    def __init__(self, n: int):
        self.values = pd.Series([None] * n, dtype=object)

    @property
    def live(self) -> np.ndarray:
        return self.values.isna().to_numpy()

    def mark(self, mask, kind: str) -> None:
        mask = np.asarray(mask, dtype=bool) & self.live
        self.values[mask] = kind


def _classification(frame, roles, fixes):
    n = len(frame)
    row_numbers = np.arange(1, n + 1)
    reasons = _Reasons(n)
    data = {"text": text_column(frame[roles["text"]])}
    if roles.get("text_pair"):
        data["text_pair"] = text_column(frame[roles["text_pair"]])
    labels, missing_label, problems = checks.clean_labels(frame[roles["label"]], row_numbers, fixes)
    data["label"] = labels.to_numpy()
    data["_row"] = row_numbers
    examples = pd.DataFrame(data)

    empty = checks.blank(examples["text"])
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


def _generation(frame, layout, roles, task, system_prompt, fixes):
    n = len(frame)
    row_numbers = np.arange(1, n + 1)
    conversations, found = rows_to_messages(frame, layout, roles, system_prompt, fixes)
    reasons = _Reasons(n)
    problems = []
    for kind in ("bad_messages", "unknown_role", "no_assistant", "not_ending_with_assistant",
                 "empty_text", "non_text_content"):
        mask, action, params = found.get(kind, (None, None, {}))
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


# ---- inspecting ----------------------------------------------------------------------------

def inspect_file(path, *, roles=None, task: str = "auto", family: str = "auto",
                 encoding: str = "", sheet: str = "", max_rows: int = 0, tokenizer=None,
                 max_length=None, validation_path: str = "", fixes=None,
                 system_prompt: str = "", header: bool | None = None) -> Inspection:
    """Everything the Data step shows about one file. Raises DataError only for unreadable
    files or a role naming a column that does not exist; other issues are Problems."""
    frame, info = read_table(path, encoding=encoding, sheet=sheet, max_rows=max_rows,
                             header=header)
    layout, final_roles = resolve_roles(frame, info["layout"], roles, str(path))
    if task in ("", "auto", None):
        task = infer_task(layout, final_roles, family)
    examples, excluded, problems = normalise(frame, layout, final_roles, task,
                                             system_prompt=system_prompt, fixes=fixes)
    if tokenizer is not None and len(examples):
        examples, excluded, problems = _length_check(examples, excluded, problems, frame, task,
                                                     tokenizer, max_length, fixes)
    insp = Inspection(path=str(path), format=info["format"], encoding=info.get("encoding", ""),
                      layout=layout, columns=[str(c) for c in frame.columns], roles=final_roles,
                      task=task, labels=label_counts(examples, task), rows=len(examples),
                      excluded=excluded, problems=problems, frame=frame, examples=examples,
                      sheets=info.get("sheets", []),
                      details={k: info[k] for k in ("delimiter", "header", "sheet") if k in info})
    if validation_path:
        other = inspect_file(validation_path,
                             roles=validation_roles(validation_path, roles, encoding, sheet),
                             task=task, encoding=encoding, sheet=sheet, fixes=fixes,
                             system_prompt=system_prompt)
        check_overlap(insp, other, fixes)
    return insp


def resolve_roles(frame, layout, roles, path) -> tuple[str, dict[str, str]]:
    """Guessed roles, overridden by the ones given; a given column must exist.

    Mapping the columns an alpaca file already uses (prompt=instruction) keeps the alpaca
    layout, so `input`, `history` and `system` are still merged in; mapping a label or text
    column turns any file into a plain table.
    """
    given = {k: v for k, v in (roles or {}).items() if v}
    for role, col in given.items():
        if col not in frame.columns:
            cols = ", ".join(map(str, frame.columns))
            raise DataError("missing_column", f"The {role} column '{col}' is not in {path}; its "
                            f"columns are {cols}.", role=role, column=col,
                            columns=[str(c) for c in frame.columns], file=str(path))
    table_roles = {"label", "text", "text_pair"} & set(given)
    pair_roles = {"prompt", "response"} & set(given)
    if given.get("messages"):
        if layout not in ("messages", "sharegpt"):
            col = given["messages"]
            layout = detect_chat_layout(frame[[col]].rename(columns={col: "messages"}))
            layout = layout if layout in ("messages", "sharegpt") else "messages"
    elif table_roles or (pair_roles and layout in ("messages", "sharegpt")):
        layout = "table" if layout in CHAT_LAYOUTS else layout
    final = guess_roles(frame, layout)
    if table_roles:
        final = {k: v for k, v in final.items() if k not in ("prompt", "response")}
    if pair_roles and layout != "alpaca":
        final = {k: v for k, v in final.items() if k not in ("label", "text", "text_pair")}
    final.update(given)
    if layout in ("table", "pairs"):
        layout = "pairs" if "prompt" in final and "label" not in final else "table"
    return layout, final


def validation_roles(path, roles, encoding: str = "", sheet: str = "") -> dict | None:
    """The user's column overrides that exist in the validation file; it may name its columns
    differently (SST-2: `sentence` in train, `content` in dev), and then guessing decides."""
    given = {k: v for k, v in (roles or {}).items() if v}
    if not given:
        return None
    columns = set(read_table(path, encoding=encoding, sheet=sheet, nrows=5)[0].columns)
    kept = {k: v for k, v in given.items() if v in columns}
    if len(kept) < len(given):
        log.info("validation file %s lacks %s; guessing those columns", path,
                 sorted(set(given.values()) - columns))
    return kept or None


def label_counts(examples: pd.DataFrame, task: str) -> dict[str, int]:
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


LENGTH_SAMPLE = 20_000


def _length_check(examples, excluded, problems, frame, task, tokenizer, max_length, fixes):
    """Share of examples longer than max_length tokens. Big files are measured on a sample
    (the count is then an estimate) unless the user chose to exclude the long ones."""
    max_length = max_length or getattr(tokenizer, "model_max_length", None)
    if not max_length or max_length > 1_000_000:
        return examples, excluded, problems
    exclude = choice(fixes, "too_long") == "exclude"
    sample = examples
    if len(examples) > LENGTH_SAMPLE and not exclude:
        picked = np.sort(np.random.default_rng(0).choice(len(examples), LENGTH_SAMPLE, False))
        sample = examples.iloc[picked]
    lengths = token_lengths(sample, task, tokenizer)
    rows = sample["_row"].to_numpy()
    over, prob = checks.too_long(lengths, int(max_length), rows, fixes, total=len(examples))
    if prob is None:
        return examples, excluded, problems
    problems = problems + [prob]
    if prob.action == "excluded":
        reasons = pd.Series([None] * len(frame), dtype=object)
        reasons.iloc[rows[over] - 1] = "too_long"
        excluded = sorted(excluded + excluded_rows(frame, reasons), key=lambda e: e["row"])
        examples = examples[~over].reset_index(drop=True)
    return examples, excluded, problems


def token_lengths(examples: pd.DataFrame, task: str, tokenizer, batch: int = 1000) -> np.ndarray:
    if task == "classification":
        first = examples["text"].tolist()
        second = examples["text_pair"].tolist() if "text_pair" in examples else None
    elif task == "text2text":
        first = [f"{p}\n{r}" for p, r in zip(examples["prompt"], examples["response"])]
        second = None
    else:
        first = [_chat_text(tokenizer, m) for m in examples["messages"]]
        second = None
    out = []
    for i in range(0, len(first), batch):
        enc = tokenizer(first[i:i + batch], second[i:i + batch] if second else None,
                        truncation=False)
        out += [len(ids) for ids in enc["input_ids"]]
    return np.array(out, dtype=np.int64)


def _chat_text(tokenizer, messages) -> str:
    if getattr(tokenizer, "chat_template", None):
        try:
            return tokenizer.apply_chat_template(messages, tokenize=False)
        except Exception:       # a template may reject e.g. a system turn; fall back to plain text
            log.debug("chat template failed; measuring plain text", exc_info=True)
    return render_messages(messages)


def check_overlap(train: Inspection, val: Inspection, fixes) -> None:
    """Flag (and by default leave out) validation rows whose input also appears in training."""
    if train.task != val.task or not len(val.examples) or not len(train.examples):
        return
    hit = checks.keys_in(checks.example_keys(val.examples, val.task),
                         checks.example_keys(train.examples, train.task))
    if not hit.any():
        return
    rows = val.examples["_row"].to_numpy()
    action = checks.ACTION_OF[choice(fixes, "train_val_overlap")]
    prob = problem("train_val_overlap", action, rows[hit], int(hit.sum()))
    train.problems.append(prob)
    val.problems.append(prob)
    if action == "excluded":
        reasons = pd.Series([None] * len(val.frame), dtype=object)
        reasons.iloc[rows[hit] - 1] = "train_val_overlap"
        val.excluded = sorted(val.excluded + excluded_rows(val.frame, reasons),
                              key=lambda e: e["row"])
        val.examples = val.examples[~hit].reset_index(drop=True)
        val.rows = len(val.examples)
        val.labels = label_counts(val.examples, val.task)


# ---- splitting and loading -----------------------------------------------------------------

def split_validation(examples: pd.DataFrame, fraction: float, seed: int, task: str
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out `fraction` of the rows, stratified by label; both parts keep the file order."""
    n = len(examples)
    if fraction <= 0 or n < 2:
        return examples.reset_index(drop=True), examples.iloc[:0].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    chosen = np.zeros(n, dtype=bool)
    if task == "classification" and "label" in examples:
        groups = {str(k): v for k, v in examples.groupby("label", sort=False).indices.items()}
        quota = _allocate({k: len(v) for k, v in groups.items()}, fraction)
        for label in sorted(groups):
            if quota.get(label):
                chosen[rng.permutation(groups[label])[:quota[label]]] = True
    else:
        k = min(n - 1, max(1, int(round(n * fraction))))
        chosen[rng.choice(n, size=k, replace=False)] = True
    return (examples[~chosen].reset_index(drop=True), examples[chosen].reset_index(drop=True))


def _allocate(sizes: dict[str, int], fraction: float) -> dict[str, int]:
    """Largest-remainder share per class; a class keeps at least one row in training."""
    eligible = {k: s for k, s in sizes.items() if s >= 2}
    total = sum(eligible.values())
    if not total:
        return {}
    target = min(sum(s - 1 for s in eligible.values()), max(1, int(round(total * fraction))))
    exact = {k: s * fraction for k, s in eligible.items()}
    quota = {k: min(int(math.floor(v)), eligible[k] - 1) for k, v in exact.items()}
    order = sorted(eligible, key=lambda k: (-(exact[k] - math.floor(exact[k])), k))
    while sum(quota.values()) < target:
        grew = False
        for k in order:
            if sum(quota.values()) >= target:
                break
            if quota[k] < eligible[k] - 1:
                quota[k] += 1
                grew = True
        if not grew:
            break
    return quota


def roles_from_config(data_cfg) -> dict[str, str]:
    pairs = {"text": data_cfg.text_column, "text_pair": data_cfg.text_pair_column,
             "label": data_cfg.label_column, "prompt": data_cfg.prompt_column,
             "response": data_cfg.response_column, "messages": data_cfg.messages_column,
             "system": data_cfg.system_column}
    return {k: v for k, v in pairs.items() if v}


def raise_blocking(insp: Inspection, which: str = "training") -> None:
    for p in insp.blocking:
        params = {"file": insp.path, "kind": p.kind, **p.params}
        if p.kind == "missing_column":
            params.setdefault("column", "")
        raise DataError(p.kind, f"In the {which} file {insp.path}: {p.message}", **params)


def load_job_data(cfg: "JobConfig", family: str = "auto", tokenizer=None) -> JobData:
    """The train and validation examples a job trains on; DataError when something blocks."""
    d = cfg.data
    if not d.train_file:
        raise DataError("no_file", "No training file is set; choose a data file.")
    roles = roles_from_config(d)
    family = family if family != "auto" else getattr(cfg.model, "family", "auto")
    insp = inspect_file(d.train_file, roles=roles or None, task=cfg.task, family=family,
                        encoding=d.encoding, sheet=d.sheet, max_rows=d.max_rows,
                        tokenizer=tokenizer, max_length=cfg.train.max_length,
                        system_prompt=d.system_prompt)
    raise_blocking(insp)
    task, val_insp = insp.task, None
    if d.validation_file:
        val_roles = validation_roles(d.validation_file, roles, d.encoding, d.sheet)
        val_insp = inspect_file(d.validation_file, roles=val_roles, task=task,
                                encoding=d.encoding, sheet=d.sheet, tokenizer=None,
                                system_prompt=d.system_prompt)
        for p in val_insp.blocking:
            if p.kind != "single_class":          # one class in validation is fine
                raise_blocking(val_insp, "validation")
        if task == "classification":
            _align_labels(insp, val_insp)
        check_overlap(insp, val_insp, None)
        train, validation = insp.examples, val_insp.examples
    else:
        train, validation = split_validation(insp.examples, d.validation_fraction,
                                             cfg.train.seed, task)
        train, validation = _move_overlap(insp, train, validation, task)
    labels = sort_labels(train["label"].unique()) if task == "classification" else []
    log.info("data: %s, %d train / %d validation rows, %d excluded", task, len(train),
             len(validation), len(insp.excluded))
    return JobData(task=task, train=train, validation=validation, labels=labels,
                   roles=insp.roles, inspection=insp, validation_inspection=val_insp)


def _align_labels(train: Inspection, val: Inspection) -> None:
    """Spell validation labels as training does; leave out labels training never saw."""
    known = set(train.examples["label"])
    folded = {}
    for lab in known:
        folded.setdefault(lab.strip().casefold(), lab)
    ex = val.examples
    ex["label"] = ex["label"].map(
        lambda lab: lab if lab in known else folded.get(lab.strip().casefold(), lab))
    unseen = ~ex["label"].isin(known).to_numpy()
    if not unseen.any():
        return
    names = ", ".join(sorted(set(ex.loc[unseen, "label"]))[:5])
    rows = ex["_row"].to_numpy()
    val.problems.append(problem("unseen_label", "excluded", rows[unseen], int(unseen.sum()),
                                names=names))
    reasons = pd.Series([None] * len(val.frame), dtype=object)
    reasons.iloc[rows[unseen] - 1] = "unseen_label"
    val.excluded = sorted(val.excluded + excluded_rows(val.frame, reasons), key=lambda e: e["row"])
    val.examples = ex[~unseen].reset_index(drop=True)
    val.rows, val.labels = len(val.examples), label_counts(val.examples, "classification")


def _move_overlap(insp, train, validation, task):
    """A held-out row whose input is also in training goes back to training (same text,
    different label, or duplicates the user chose to keep)."""
    if not len(validation):
        return train, validation
    hit = checks.keys_in(checks.example_keys(validation, task), checks.example_keys(train, task))
    if not hit.any():
        return train, validation
    insp.problems.append(problem("train_val_overlap", "fixed",
                                 validation["_row"].to_numpy()[hit], int(hit.sum())))
    train = pd.concat([train, validation[hit]]).sort_values("_row").reset_index(drop=True)
    return train, validation[~hit].reset_index(drop=True)
