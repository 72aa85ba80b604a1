"""A sweep run by the CLI in the foreground: one candidate after another in this process, as
`python -m studio train` runs one job, with a progress line per candidate.

Each candidate becomes a run only when it starts, so an app sharing the workspace never picks
a candidate off the queue; one the budget leaves out is recorded as a stopped run with the
reason, so `runs` lists every candidate.
"""
from __future__ import annotations

import gc
import time

from .. import events as ev
from ..config import JobConfig
from . import budget, manifest
from .candidates import prepare
from .manifest import Entry, Sweep
from .progress import line_of

STOPPED_REASON = "Not started: the sweep was stopped."


def run_foreground(registry, base: JobConfig, grid: dict[str, list[str]],
                   budget_minutes: float | None = None, say=print, preview=None,
                   runner=None) -> Sweep:
    """Check all candidates, then train them in order; returns the finished sweep."""
    if runner is None:
        from ..training import run_job as runner
    sweep = Sweep(manifest.new_sweep_id(), created=time.time(), budget_minutes=budget_minutes,
                  mode="foreground")  # this process trains them: an app never re-arms it
    sweep.entries = [Entry(c.name, c.total_steps, c.cfg.to_dict())
                     for c in prepare(base, grid, sweep.id, preview)]
    manifest.save(registry.workspace, sweep)
    total = len(sweep.entries)
    say(f"sweep {sweep.id}: {total} candidate(s), shared split, early stopping on")
    for i, entry in enumerate(sweep.entries):
        if i and budget_minutes and _budget_cuts(registry, sweep, i):
            say(sweep.note)
            break
        run = registry.new_run(entry.job())
        entry.run_id = run.id
        manifest.save(registry.workspace, sweep)
        say(f"[{i + 1}/{total}] {entry.name}: training as run {run.id}")
        runner(run.run_dir, registry)
        gc.collect()  # the finished candidate's model and trainer before the next one loads
        line = line_of(registry, entry)
        say(f"[{i + 1}/{total}] {line.text()}")
        if line.status == "stopped":  # Ctrl-C: the user stopped the sweep, not just this run
            _skip_rest(registry, sweep, i + 1, STOPPED_REASON)
            break
    manifest.save(registry.workspace, sweep)
    return sweep


def _budget_cuts(registry, sweep: Sweep, next_index: int) -> bool:
    """Leave out the candidates from `next_index` on that would end past the budget."""
    first = sweep.entries[0]
    speed = budget.measure(ev.read_all(registry.folder(first.run_id).events_file))
    if speed is None:
        return False
    queued = [(str(j), e.total_steps) for j, e in enumerate(sweep.entries)
              if j >= next_index]
    cut, estimate = budget.over_budget(sweep.budget_minutes * 60, time.time() - sweep.created,
                                       0.0, queued, speed)
    if not cut:
        return False
    _skip_rest(registry, sweep, int(cut[0]), budget.skip_reason(sweep.budget_minutes))
    sweep.note = budget.sentence(sweep.budget_minutes, estimate, speed, len(cut))
    sweep.note_params = budget.sentence_params(sweep.budget_minutes, estimate, speed, len(cut))
    manifest.save(registry.workspace, sweep)
    return True


def _skip_rest(registry, sweep: Sweep, start: int, reason: str) -> None:
    for entry in sweep.entries[start:]:
        run = registry.new_run(entry.job(), status="stopped")
        registry.update(run.id, reason=reason)
        entry.run_id, entry.skipped = run.id, reason
