"""Whether a run can be resumed, and the record that a new attempt of it began.

`python -m studio train --resume RUN` and the page's Resume button take the same path: the
run must be this owner's, stopped or failed, and have a checkpoint; the queue then writes a
`resume` event (so the stopped/failed event before it no longer ends the run: see
events.final_event) and runs `train --resume RUN`, which continues from that checkpoint.
"""
from __future__ import annotations

from .errors import RunError
from .runs import Registry, Run, RunFolder

ENDED = ("stopped", "failed")


def checkpoint_step(run: Run) -> int | None:
    """The step of the run's last complete checkpoint, or None when it has none."""
    from .jobs.saving import last_checkpoint  # light: no torch import
    found = last_checkpoint(run.run_dir)
    return int(found.name.rsplit("-", 1)[-1]) if found is not None else None


def can_resume(run: Run | None) -> bool:
    """What the page asks before it shows a Resume button."""
    return run is not None and run.status in ENDED and checkpoint_step(run) is not None


def resumable(registry: Registry, run_id: str, owner: str | None = None) -> Run:
    """The run to resume, or RunError with the one sentence: someone else's run (hosted)
    answers exactly like a missing one."""
    run = registry.get(run_id, owner) if run_id else None
    if run is None:
        raise RunError(code="no_run", run=run_id)
    if run.status not in ENDED:
        raise RunError(code="resume_not_ended", run=run.id, status=run.status)
    if checkpoint_step(run) is None:
        raise RunError(code="resume_no_checkpoint", run=run.id)
    return run


def mark_resumed(folder: RunFolder, step: int | None) -> None:
    """Write the `resume` event once per attempt: after it the run has no final event until
    the new attempt ends (a second call before that writes nothing)."""
    from .events import EventWriter
    if folder.final_event() is not None:
        EventWriter(folder.events_file).emit("resume", step=step)


def is_resumed(folder: RunFolder) -> bool:
    """Whether the folder's latest attempt is a resumed one (its queued job must run
    `train --resume`, also after a server restart)."""
    for e in reversed(folder.events()):
        if e.get("type") == "resume":
            return True
        if e.get("type") == "start":
            return False
    return False
