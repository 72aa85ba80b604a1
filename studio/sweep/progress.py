"""One line per candidate of a sweep: name, status, step / total, the latest metric."""
from __future__ import annotations

from dataclasses import dataclass

from .. import events as ev
from . import manifest

# The score a line shows: the task's main metric when the run reports it, else the loss.
MAIN_METRICS = ("accuracy", "eval_loss")


@dataclass
class Line:
    name: str
    run_id: str
    status: str                    # waiting, queued, running, done, failed, stopped, skipped
    step: int
    total: int
    metric: str = ""               # the metric's engine key ('accuracy', 'eval_loss')
    value: float | None = None
    reason: str = ""
    train_seconds: float | None = None

    def text(self) -> str:
        score = f"  {self.metric} {self.value:.4f}" if self.value is not None else ""
        why = f"  ({self.reason})" if self.reason and self.status in (
            "failed", "skipped") else ""
        return f"{self.name:32s} {self.status:8s} {self.step}/{self.total} steps{score}{why}"

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def progress(registry, sweep_id: str, owner: str | None = None) -> list[Line]:
    """The sweep's candidates in queue order; RunError when there is no such sweep (or it is
    someone else's)."""
    sweep = manifest.load(registry.workspace, sweep_id, owner)
    return [line_of(registry, entry) for entry in sweep.entries]


def note(registry, sweep_id: str, owner: str | None = None) -> str:
    """What the sweep as a whole says (the budget's sentence), '' when nothing."""
    return manifest.load(registry.workspace, sweep_id, owner).note


def line_of(registry, entry: manifest.Entry) -> Line:
    run = registry.get(entry.run_id) if entry.run_id else None
    if run is None:
        status = "skipped" if entry.skipped else "waiting"
        return Line(entry.name, entry.run_id, status, 0, entry.total_steps,
                    reason=entry.skipped)
    events = ev.read_all(registry.folder(run).events_file)
    start = next((e for e in events if e.get("type") == "start"), {})
    logs = [e for e in events if e.get("type") == "log"]
    step = int(logs[-1].get("step") or 0) if logs else 0
    total = int(start.get("total_steps") or entry.total_steps)
    status = "skipped" if entry.skipped else run.status
    metric, value = latest_metric(events, run.metrics or {})
    final = ev.final_event(events) or {}
    if status == "done":
        step = int((final.get("metrics") or {}).get("steps") or step)
    return Line(entry.name, run.id, status, step, total, metric, value,
                entry.skipped or run.reason or final.get("reason", ""),
                seconds_of(registry, run))


def latest_metric(events: list[dict], summary: dict) -> tuple[str, float | None]:
    """The main metric of the latest evaluation (the final one once the run is done)."""
    evals = [e.get("metrics") or {} for e in events if e.get("type") == "eval"
             and e.get("phase") != "before"]
    for metrics in ([summary] if summary else []) + evals[::-1]:
        for key in MAIN_METRICS:
            if isinstance(metrics.get(key), (int, float)):
                return key, float(metrics[key])
    return "", None


def seconds_of(registry, run) -> float | None:
    value = registry.folder(run).metrics().get("train_seconds")
    return float(value) if isinstance(value, (int, float)) else None
