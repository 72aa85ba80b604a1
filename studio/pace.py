"""A run's pace, once: steps per second from its log events and the time left (ETA). The
training callback writes the ETA with `eta_seconds`; the page and `python -m studio runs` show
what the events say (`progress`, `latest_eta`), the sweep's time budget measures with
`run_steps_per_second`, and the run's recorded average speed (metrics.json, which the estimate
before Start reads) is `steps_per_second` too, so no two places can disagree.

The pace is measured between the first and the latest log event: the time before the first
logged step (loading, compiling, the first batch) is not training speed, and counting it made
the early ETA of a small run ten times too long.
"""
from __future__ import annotations

from .events import FINAL_TYPES


def steps_per_second(first: dict | None, last: dict | None) -> float | None:
    """Steps per second between two log events ({step, elapsed}), or None while they are the
    same step (one log event so far) or carry no time."""
    if not first or not last:
        return None
    steps = (last.get("step") or 0) - (first.get("step") or 0)
    seconds = (last.get("elapsed") or 0.0) - (first.get("elapsed") or 0.0)
    if steps <= 0 or seconds <= 0:
        return None
    return steps / seconds


def eta_seconds(first: dict | None, last: dict | None, total_steps) -> float | None:
    """Seconds left to `total_steps` at the pace between `first` and `last`; None until the
    pace is known (two log events)."""
    rate = steps_per_second(first, last)
    if rate is None or not total_steps:
        return None
    return max(0.0, (total_steps - last["step"]) / rate)


def log_events(events: list[dict]) -> list[dict]:
    """The log events that carry a step and its time."""
    return [e for e in events if e.get("type") == "log" and (e.get("step") or 0) > 0
            and (e.get("elapsed") or 0) > 0]


def latest_eta(events: list[dict]) -> float | None:
    """What the run's events say is left: the latest log event's ETA; None once the run has
    ended (an ended run has no time left to tell) or before the ETA is known."""
    return (progress(events) or {}).get("eta")


def run_steps_per_second(events: list[dict]) -> float | None:
    """A run's training speed from its events: the pace between its first and latest log
    events; with a single log event, from the start of training to it (warm-up included: the
    only measure there is)."""
    logs = log_events(events)
    if not logs:
        return None
    first = logs[0] if len(logs) > 1 else {"step": 0, "elapsed": 0.0}
    return steps_per_second(first, logs[-1])


def progress(events: list[dict]) -> dict | None:
    """Where a live run stands, from its events: {step, total_steps, eta}; None before its
    first logged step or once it has ended. A resumed run's new start begins a new attempt
    (the previous attempt's final event no longer counts)."""
    last, total, ended = None, None, False
    for e in events:
        kind = e.get("type")
        if kind == "start":
            last, total, ended = None, e.get("total_steps"), False
        elif kind == "log":
            last = e
        elif kind in FINAL_TYPES:
            ended = True
    if ended or last is None:
        return None
    return {"step": last.get("step") or 0, "total_steps": total or last.get("total_steps"),
            "eta": last.get("eta")}
