"""From a base job and a grid to the candidates a sweep queues, all checked before any exists.

Fair comparison needs every candidate to train and score on the same rows. The split
(`studio.data.splits.split_validation`) depends only on the rows, validation_fraction, the seed
and the task: the training path reads data without a tokenizer, so no model-dependent row is
left out before splitting. The one model-dependent input is the task when it is 'auto' (a T5
model turns chat data into text2text), so the sweep settles the task once and pins it on every
candidate; the data section and the seed come from the base job and cannot be in the grid.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ..config import JobConfig
from .grid import expand

# Early stopping on the validation loss, judged once per epoch: a candidate that stops
# improving gives its time to the next one.
SWEEP_PATIENCE = 2
log = logging.getLogger(__name__)


@dataclass
class Candidate:
    name: str
    cfg: JobConfig
    total_steps: int


def prepare(base: JobConfig, grid: dict[str, list[str]], sweep_id: str,
            preview=None) -> list[Candidate]:
    """Every candidate resolved against its data and model (the engine's `jobs.preview`),
    with the task pinned, early stopping on and the sweep id recorded; the first
    StudioError (an unknown model, a model that cannot learn the task, a missing file)
    refuses the whole sweep before anything is queued."""
    from .. import jobs
    from ..jobs.applies import settle
    preview = preview or jobs.preview
    # Each candidate is settled like the Train step's job: a setting that does not apply to
    # its model or method (packing for a T5 candidate) goes back to its default, no refusal.
    configs = [settled(cfg, settle) for cfg in expand(base, grid)]
    for cfg in configs:  # cheap checks first: names, files, task/family pairs known so far
        jobs.precheck(cfg)
    first = preview(configs[0])
    steps = [first.total_steps]
    for cfg in configs:
        cfg.task = first.cfg.task  # the task the first candidate's data resolved to
        cfg.sweep = sweep_id
        with_early_stopping(cfg)
    for cfg in configs[1:]:
        jobs.precheck(cfg)          # now with the task known: an impossible pair says so
        steps.append(preview(cfg).total_steps)
    return [Candidate(cfg.name, cfg, n) for cfg, n in zip(configs, steps)]


def settled(cfg: JobConfig, settle) -> JobConfig:
    cfg, notes = settle(cfg)
    for note in notes:
        log.info("sweep candidate %s: %s", cfg.name, note["sentence"])
    return cfg


def with_early_stopping(cfg: JobConfig) -> JobConfig:
    """Stop a candidate after SWEEP_PATIENCE epochs without a better validation loss (the best
    epoch's model is the one kept); a job that already sets a patience keeps it."""
    t = cfg.train
    if t.early_stopping_patience == 0:
        t.early_stopping_patience = SWEEP_PATIENCE
    if t.eval_strategy == "no":
        t.eval_strategy = "epoch"
    t.save_checkpoints = True  # the best epoch is reloaded from its checkpoint
    return cfg
