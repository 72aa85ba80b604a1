"""Stopping a run from outside its process: the first request asks, the second kills."""
from __future__ import annotations

import os
import signal
from dataclasses import dataclass

from .events import EventWriter
from .processes import pid_alive
from .runs import ACTIVE, Registry, Run, RunFolder


@dataclass
class StopResult:
    """What a stop request did: `outcome` is one of not_running, cancelled, asked, killed (a
    stable key the page translates); `message` is the English sentence the CLI prints."""
    outcome: str
    message: str

    def __str__(self) -> str:
        return self.message


def request_stop(registry: Registry, run: Run) -> StopResult:
    folder = RunFolder(run.run_dir)
    if run.status not in ACTIVE:
        return StopResult("not_running", f"Run {run.id} is already {run.status}.")
    if folder.request_stop():
        if run.status == "queued" and not pid_alive(run.pid):
            registry.update(run.id, status="stopped", reason="Cancelled before it started.")
            EventWriter(folder.events_file).emit(
                "stopped", step=0, model_path=None, reason="Cancelled before it started.")
            return StopResult("cancelled", f"Run {run.id} was cancelled before it started.")
        return StopResult("asked", f"Asked run {run.id} to stop; it saves the model at the "
                                   f"next step. Stop again to kill it at once.")
    if run.pid and pid_alive(run.pid):
        try:  # the UI starts each run in its own process group: take its children too
            if os.getpgid(run.pid) == run.pid:
                os.killpg(run.pid, signal.SIGKILL)
            else:
                os.kill(run.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if folder.final_event() is None:
        EventWriter(folder.events_file).emit(
            "stopped", step=None, model_path=None,
            reason="Killed on a second stop request; the model was not saved.")
    registry.update(run.id, status="stopped", reason="Killed on a second stop request.")
    return StopResult("killed", f"Killed run {run.id}.")
