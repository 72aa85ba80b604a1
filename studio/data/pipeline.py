"""Training data: read any table or chat file, guess what each column is, normalise and check it.

The flow runs one way, each stage once per file:

  read_table (cached) -> rejoin_spilled -> detect_layout -> resolve_roles -> normalise (+ checks)
  -> split_validation

`inspect_file` runs it for the Data step and `python -m studio inspect`; `load_job_data` runs it for
a training job and raises a DataError for anything blocking. No row is ever silently lost: rows
that cannot be used are listed in `excluded` with their reason and 1-based row number (`_row`).
The stages live in the sibling modules, the results in `results`; this one holds the flow that
ties them together. A big CSV / TSV for classification runs the stages on its first rows and
the checks on one streaming pass over all of them (studio.data.stream), in memory that does not
grow with the text.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from studio.data import stream
from studio.data.frames import read_table
from studio.data.layouts import detect_layout
from studio.data.lengths import length_check
from studio.data.normalise import label_counts, normalise, sort_labels
from studio.data.overlap import align_labels, check_overlap, move_overlap_back
from studio.data.problems import Problem
from studio.data.results import PREVIEW_ROWS, Inspection, JobData, StreamedInspection  # noqa: F401
from studio.data.roles import guess_roles, infer_task, present_roles, resolve_roles
from studio.data.spill import rejoin_spilled
from studio.data.splits import split_validation
from studio.errors import DataError

if TYPE_CHECKING:
    from studio.config import JobConfig

log = logging.getLogger(__name__)

__all__ = ["DataError", "Problem", "Inspection", "JobData", "read_table", "guess_roles",
           "infer_task", "inspect_file", "normalise", "split_validation", "load_job_data",
           "label_counts", "sort_labels", "ROLE_FIELDS", "roles_from_config", "roles_to_config"]

# ---- inspecting ----------------------------------------------------------------------------

def inspect_file(path, *, roles=None, task: str = "auto", family: str = "auto",
                 encoding: str = "", sheet: str = "", max_rows: int = 0, tokenizer=None,
                 max_length=None, validation_path: str = "", fixes=None,
                 system_prompt: str = "", header: bool | None = None,
                 unnamed_columns: str = "") -> Inspection:
    """Everything the Data step shows about one file. Raises DataError only for unreadable
    files or a role naming a column that does not exist; other issues are Problems.
    `unnamed_columns`: "join" (default) or "exclude" rows whose text spilled into unnamed
    columns (the same as fixes={"unnamed_columns": ...})."""
    fixes = with_choice(fixes, "unnamed_columns", unnamed_columns)
    insp = _inspect(path, roles, task, family, encoding=encoding, sheet=sheet,
                    max_rows=max_rows, header=header, fixes=fixes, system_prompt=system_prompt,
                    tokenizer=tokenizer, max_length=max_length)
    if validation_path:
        other = _inspect(validation_path, roles, insp.task, family, encoding=encoding,
                         sheet=sheet, fixes=fixes, system_prompt=system_prompt,
                         validation=True)
        check_overlap(insp, other, fixes)
    return insp


def with_choice(fixes: dict | None, kind: str, value: str) -> dict | None:
    """`fixes` with the choice for `kind` set, when one is given."""
    return {**(fixes or {}), kind: value} if value else fixes


def _inspect(path, roles, task, family, *, encoding="", sheet="", max_rows=0, header=None,
             fixes=None, system_prompt="", tokenizer=None, max_length=None,
             validation=False) -> Inspection:
    """One file through every stage, each stage once. A validation file keeps only the given
    roles it has columns for: it may name them differently (SST-2: `sentence` in train,
    `content` in dev), and guessing decides the rest."""
    if tokenizer is None and not validation and stream.wanted(path, max_rows):
        try:
            return _inspect_stream(path, roles, task, family, encoding, max_rows, header, fixes)
        except stream.NotStreamable as why:
            log.info("reading %s whole: %s", path, why)
    frame, info = read_table(path, encoding=encoding, sheet=sheet, max_rows=max_rows,
                             header=header)
    frame, spilled, problems = rejoin_spilled(frame, info, fixes)
    layout = detect_layout(frame)
    if validation:
        kept = present_roles(roles, frame.columns)
        if len(kept or {}) < len({k: v for k, v in (roles or {}).items() if v}):
            log.info("validation file %s lacks some given columns; guessing those", path)
        roles = kept
    kind, final_roles = resolve_roles(frame, layout, roles, str(path))
    if task in ("", "auto", None):
        task = infer_task(kind, final_roles, family)
    examples, excluded, found = normalise(frame, kind, final_roles, task,
                                          system_prompt=system_prompt, fixes=fixes,
                                          excluded_before=spilled)
    problems = problems + found
    if tokenizer is not None and len(examples):
        examples, excluded, problems = length_check(examples, excluded, problems, frame, task,
                                                    tokenizer, max_length, fixes)
    return Inspection(path=str(path), format=info["format"], encoding=info.get("encoding", ""),
                      layout=kind, columns=[str(c) for c in frame.columns], roles=final_roles,
                      task=task, labels=label_counts(examples, task), rows=len(examples),
                      excluded=excluded, problems=problems, frame=frame, examples=examples,
                      sheets=info.get("sheets", []),
                      details={k: info[k] for k in ("delimiter", "header", "sheet") if k in info})


def _inspect_stream(path, roles, task, family, encoding, max_rows, header, fixes
                    ) -> StreamedInspection:
    """A big table: the stages on its first rows, the checks on one pass over all of them."""
    enc = stream.full_encoding(path, encoding)
    frame, info = read_table(path, encoding=enc, nrows=stream.SAMPLE_ROWS, header=header)
    frame, spilled, problems = rejoin_spilled(frame, info, fixes)
    if problems:
        raise stream.NotStreamable("text spilled into unnamed columns")
    layout = detect_layout(frame)
    kind, final_roles = resolve_roles(frame, layout, roles, str(path))
    if task in ("", "auto", None):
        task = infer_task(kind, final_roles, family)
    if task != "classification" or kind != "table" or not final_roles.get("text") \
            or not final_roles.get("label"):
        raise stream.NotStreamable(f"a {task} file with layout {kind}")
    outcome = stream.check(path, info, enc, frame, final_roles, fixes, max_rows)
    insp = StreamedInspection(
        path=str(path), format=info["format"], encoding=info.get("encoding", ""), layout=kind,
        columns=[str(c) for c in frame.columns], roles=final_roles, task=task,
        labels=outcome.labels, rows=outcome.rows, excluded=outcome.excluded,
        problems=outcome.problems, frame=frame, examples=None, sheets=info.get("sheets", []),
        details={k: info[k] for k in ("delimiter", "header", "sheet") if k in info})
    insp.usable = outcome.usable
    insp.reader = stream.examples_reader(path, info, enc, final_roles, outcome.label_values,
                                         max_rows)
    log.info("inspected %s from its first %d rows and one pass over %d", path, len(frame),
             outcome.rows + len(outcome.excluded))
    return insp


# ---- loading a job -------------------------------------------------------------------------

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
        raise DataError(f"In the {which} file {insp.path}: {p.message}", p.kind, **params)


def load_job_data(cfg: "JobConfig", family: str = "auto", tokenizer=None) -> JobData:
    """The train and validation examples a job trains on; DataError when something blocks."""
    d = cfg.data
    if not d.train_file:
        raise DataError(code="no_file")
    roles = roles_from_config(d)
    family = family if family != "auto" else getattr(cfg.model, "family", "auto")
    fixes = with_choice(None, "unnamed_columns", d.unnamed_columns)
    insp = _inspect(d.train_file, roles or None, cfg.task, family, encoding=d.encoding,
                    sheet=d.sheet, max_rows=d.max_rows, fixes=fixes, tokenizer=tokenizer,
                    max_length=cfg.train.max_length, system_prompt=d.system_prompt)
    raise_blocking(insp)
    task, val_insp = insp.task, None
    if d.validation_file:
        val_insp = _inspect(d.validation_file, roles, task, family, encoding=d.encoding,
                            sheet=d.sheet, fixes=fixes, system_prompt=d.system_prompt,
                            validation=True)
        for p in val_insp.blocking:
            if p.kind != "single_class":          # one class in validation is fine
                raise_blocking(val_insp, "validation")
        if task == "classification":
            align_labels(insp, val_insp)
        check_overlap(insp, val_insp, None)
        train, validation = insp.examples, val_insp.examples
    else:
        if isinstance(insp, StreamedInspection):
            # Split the labels and row numbers, then read each part's texts: one copy of them.
            train, validation = split_validation(insp.usable, d.validation_fraction,
                                                 cfg.train.seed, task)
            train, validation = insp.reader(train["_row"].to_numpy(),
                                            validation["_row"].to_numpy())
        else:
            train, validation = split_validation(insp.examples, d.validation_fraction,
                                                 cfg.train.seed, task)
        train, validation = move_overlap_back(insp, train, validation, task)
    labels = sort_labels(train["label"].unique()) if task == "classification" else []
    log.info("data: %s, %d train / %d validation rows, %d excluded", task, len(train),
             len(validation), len(insp.excluded))
    return JobData(task=task, train=train, validation=validation, labels=labels,
                   roles=insp.roles, inspection=insp, validation_inspection=val_insp)
