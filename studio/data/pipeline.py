"""Training data: read any table or chat file, guess what each column is, normalise and check it.

The flow is read_table -> guess_roles -> infer_task -> normalise (+ checks) -> split_validation.
`inspect_file` runs it for the Data step and `python -m studio inspect`; `load_job_data` runs it for
a training job and raises a DataError for anything blocking. No row is ever silently lost: rows
that cannot be used are listed in `excluded` with their reason and 1-based row number (`_row`).
The stages live in studio.data.readers, .roles, .normalise and .splits; this module
holds the results and the flow that ties them together.
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from studio.data import checks
from studio.data.checks import Problem, choice, problem
from studio.errors import DataError
from studio.data.readers import read_any
from studio.data.layouts import render_messages
from studio.data.normalise import excluded_rows, jsonable, normalise
from studio.data.roles import detect_layout, guess_roles, infer_task, resolve_roles
from studio.data.splits import split_validation

if TYPE_CHECKING:
    from studio.config import JobConfig

log = logging.getLogger(__name__)

__all__ = ["DataError", "Problem", "Inspection", "JobData", "read_table", "guess_roles",
           "infer_task", "inspect_file", "normalise", "split_validation", "load_job_data"]

PREVIEW_ROWS = 20


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


# ---- reading -------------------------------------------------------------------------------

def read_table(path, *, encoding: str = "", sheet: str = "", max_rows: int = 0, nrows=None,
               header: bool | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a file into a raw frame. `nrows` (preview) and `max_rows` stop reading early."""
    limits = [n for n in (max_rows, nrows) if n]
    frame, info = read_any(path, encoding=encoding, sheet=sheet,
                           limit=min(limits) if limits else 0, header=header)
    info["layout"] = detect_layout(frame)
    return frame, info


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

# Which DataConfig field names the column for each role: the one table the CLI, the job file
# and the page all go through.
ROLE_FIELDS = {"text": "text_column", "text_pair": "text_pair_column", "label": "label_column",
               "prompt": "prompt_column", "response": "response_column",
               "messages": "messages_column", "system": "system_column"}


def roles_from_config(data_cfg) -> dict[str, str]:
    """role -> column for every role the job names."""
    return {role: getattr(data_cfg, name) for role, name in ROLE_FIELDS.items()
            if getattr(data_cfg, name)}


def roles_to_config(data_cfg, roles: dict[str, str]) -> None:
    """Write a role -> column mapping into the job's data section (unknown roles ignored)."""
    for role, column in roles.items():
        if role in ROLE_FIELDS and column:
            setattr(data_cfg, ROLE_FIELDS[role], column)


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
