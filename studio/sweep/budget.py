"""The time budget: from the first candidate's measured speed, which queued candidates would
end past the budget, and the sentence that says so.

Speed is steps per second from the first candidate's log events (studio.pace: the pace between
its first and latest log events); once that candidate has finished, the time it spent around
its steps (loading, warming up, evaluating, saving) is added to every later estimate too.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import pace


@dataclass
class Speed:
    steps_per_second: float
    overhead_seconds: float = 0.0  # per candidate, outside the training steps

    def seconds(self, steps: int) -> float:
        return steps / self.steps_per_second + self.overhead_seconds


def measure(events: list[dict]) -> Speed | None:
    """The speed in a run's events (studio.pace, the one pace the ETA uses too): None until it
    has logged a step with its time."""
    rate = pace.run_steps_per_second(events)
    if rate is None:
        return None
    logs = pace.log_events(events)
    done = next((e for e in events if e.get("type") == "done"), None)
    start = next((e for e in events if e.get("type") == "start"), None)
    overhead = 0.0
    if done and start and done.get("elapsed"):
        steps = (done.get("metrics") or {}).get("steps") or logs[-1]["step"]
        overhead = max(0.0, float(done["elapsed"]) - steps / rate)
    return Speed(rate, overhead)


def over_budget(budget_seconds: float, spent_seconds: float, running_left_seconds: float,
                queued: list[tuple[str, int]], speed: Speed) -> tuple[list[str], float]:
    """(ids of the queued candidates not to start, the estimated total seconds with all).

    Candidates run one after another in queue order; the first whose estimated end is past
    the budget and every one after it are left out, so the budget stops launching rather than
    picking favourites."""
    clock = spent_seconds + running_left_seconds
    cut: list[str] = []
    for run_id, steps in queued:
        clock += speed.seconds(steps)
        if cut or clock > budget_seconds:
            cut.append(run_id)
    return cut, clock


def sentence(budget_minutes: float, estimate_seconds: float, speed: Speed, skipped: int) -> str:
    return (f"The time budget of {budget_minutes:g} minutes would be exceeded (about "
            f"{estimate_seconds / 60:.0f} minutes in all at the first candidate's "
            f"{speed.steps_per_second:.2f} steps/s), so {skipped} candidate(s) were not "
            f"started; raise the budget to run them.")


def sentence_params(budget_minutes: float, estimate_seconds: float, speed: Speed,
                    skipped: int) -> dict:
    """What `sentence` says, as numbers: the page words it in its own language."""
    return {"budget": budget_minutes, "minutes": round(estimate_seconds / 60),
            "rate": round(speed.steps_per_second, 2), "skipped": skipped}


def skip_reason(budget_minutes: float) -> str:
    return (f"Not started: the sweep's time budget of {budget_minutes:g} minutes would have "
            f"been exceeded.")
