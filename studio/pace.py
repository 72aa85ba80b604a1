"""A run's pace, once: steps per second from its log events, the time left (ETA) and what a
number of steps will cost. The training callback writes the ETA with `eta_seconds`; the page,
`python -m studio runs` and the sweep's time budget read what the events say (`latest_eta`,
`steps_per_second`), so no two places can disagree.

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
    last = None
    for e in events:
        if e.get("type") in FINAL_TYPES:
            return None
        if e.get("type") == "log":
            last = e
    return (last or {}).get("eta")


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
    first logged step or once it has ended."""
    last, total = None, None
    for e in events:
        if e.get("type") in FINAL_TYPES:
            return None
        if e.get("type") == "start":
            total = e.get("total_steps") or total
        elif e.get("type") == "log":
            last = e
    if last is None:
        return None
    return {"step": last.get("step") or 0, "total_steps": total or last.get("total_steps"),
            "eta": latest_eta(events)}
