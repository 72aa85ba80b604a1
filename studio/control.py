"""Stopping a run from outside its process: the first request asks, the second kills."""
from __future__ import annotations

import os
import signal
from pathlib import Path

from .events import EventWriter, read_all, final_event
from .runs import Registry, Run, _alive


def request_stop(registry: Registry, run: Run) -> str:
    run_dir = Path(run.run_dir)
    if run.status not in ("queued", "running"):
        return f"Run {run.id} is already {run.status}."
    stop_file = run_dir / "STOP"
    if not stop_file.exists():
        stop_file.write_text("stop requested\n")
        if run.status == "queued" and not _alive(run.pid):
            registry.update(run.id, status="stopped", reason="Cancelled before it started.")
            EventWriter(run_dir / "events.jsonl").emit(
                "stopped", step=0, model_path=None, reason="Cancelled before it started.")
            return f"Run {run.id} was cancelled before it started."
        return (f"Asked run {run.id} to stop; it saves the model at the next step. "
                f"Stop again to kill it at once.")
    if run.pid and _alive(run.pid):
        try:  # the UI starts each run in its own process group: take its children too
            if os.getpgid(run.pid) == run.pid:
                os.killpg(run.pid, signal.SIGKILL)
            else:
                os.kill(run.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if final_event(read_all(run_dir / "events.jsonl")) is None:
        EventWriter(run_dir / "events.jsonl").emit(
            "stopped", step=None, model_path=None,
            reason="Killed on a second stop request; the model was not saved.")
    registry.update(run.id, status="stopped", reason="Killed on a second stop request.")
    return f"Killed run {run.id}."
