"""The leaderboard: every finished run, grouped by the data it was trained on (the data
fingerprint recorded in its job.yaml, and the task), best first, with the verdict on the best
run against the runner-up.

Hosted, `owner` sees only its own runs (studio.runs.Registry.list does the filtering).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .scores import RowScores, main_metric, outputs_kind, row_scores
from .stats import Interval, bootstrap_ci
from .verdict import Verdict, decide, few_rows_note


@dataclass
class Entry:
    """One run's line of the leaderboard; scores are points (0-100)."""
    run_id: str
    label: str                      # what the table and the verdict call it
    model: str
    method: str
    created: float
    score: Interval
    gain: float | None = None       # score after minus score before training
    macro_f1: float | None = None   # classification, 0-1, from metrics.json
    train_seconds: float | None = None
    samples_per_second: float | None = None
    parameters: int | None = None
    trainable: int | None = None
    latency_ms: float | None = None  # evaluation time per validation example
    best: bool = False
    scored: RowScores | None = field(default=None, repr=False)
    # the advisor's findings stored with the run (metrics.json): [{"code", "params"}, ...]
    findings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("scored", "score")}
        d.update(score=_clean(self.score.value), low=_clean(self.score.low),
                 high=_clean(self.score.high), rows=self.score.n)
        return d


@dataclass
class Group:
    """The runs on one data set and task, best first."""
    fingerprint: str
    task: str
    data: str                       # the training file's name, to recognise the group by
    metric: str                     # accuracy | chrf
    entries: list[Entry] = field(default_factory=list)
    verdict: Verdict | None = None  # best vs runner-up; None with a single run
    note: Verdict | None = None     # few scored rows: wide intervals
    tie: Verdict | None = None      # the best two tie on the score: what gave the ★

    @property
    def key(self) -> str:
        """One string naming the group (a dropdown value, a CLI argument): data and task."""
        return self.fingerprint + "|" + self.task

    def to_dict(self) -> dict:
        return {"fingerprint": self.fingerprint, "task": self.task, "data": self.data,
                "metric": self.metric, "runs": [e.to_dict() for e in self.entries],
                "verdict": self.verdict.to_dict() if self.verdict else None,
                "note": self.note.to_dict() if self.note else None,
                "tie": self.tie.to_dict() if self.tie else None}


def board(registry, owner: str | None = None) -> list[Group]:
    """Every finished run with scored validation rows, grouped and ranked."""
    groups: dict[tuple[str, str], Group] = {}
    for run in registry.list(1000, **({} if owner is None else {"owner": owner})):
        if run.status != "done":
            continue
        made = entry_of(registry, run)
        if made is None:
            continue
        entry, cfg = made
        key = (cfg.data.fingerprint or f"file:{cfg.data.train_file}", run.task)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(key[0], run.task, Path(cfg.data.train_file).name,
                                        main_metric(run.task))
        group.entries.append(entry)
    out = [rank(g) for g in groups.values()]
    # Groups with the most recent run first: what the user just trained is on top.
    return sorted(out, key=lambda g: -max(e.created for e in g.entries))


def find_group(groups: list[Group], key: str | None) -> Group | None:
    """The group named `key` (Group.key), else the first (newest) one, else None."""
    return next((g for g in groups if g.key == key), groups[0] if groups else None)


def entry_of(registry, run):
    """(Entry, config) for a finished run, or None when it has no scored validation rows."""
    folder = registry.folder(run)
    try:
        cfg = folder.config()
    except Exception:  # noqa: BLE001 - an unreadable job.yaml: the run cannot be grouped
        return None
    scored, score, gain = scored_run(folder, run.task)
    if not scored.scores:
        return None
    metrics = folder.metrics()
    after = metrics.get("after") or {}
    start = next((e for e in folder.events() if e.get("type") == "start"), {})
    return Entry(run_id=run.id, label=run.label,
                 model=run.model, method=run.method, created=run.created, score=score,
                 gain=gain, macro_f1=after.get("macro_f1"),
                 train_seconds=metrics.get("train_seconds"),
                 samples_per_second=metrics.get("train_samples_per_second"),
                 parameters=start.get("parameters"), trainable=start.get("trainable"),
                 latency_ms=(after.get("timing") or {}).get("latency_ms"), scored=scored,
                 findings=stored_findings(metrics)), cfg


def stored_findings(metrics: dict) -> list[dict]:
    """The code and numbers of each finding the advisor stored in the run's metrics.json."""
    return [{"code": str(f.get("code", "")), "params": dict(f.get("params") or {})}
            for f in metrics.get("findings") or [] if isinstance(f, dict)]


# A finished run's outputs do not change: its scores and interval are kept, keyed by the
# outputs file's size and time, so opening the Runs step again costs no resampling.
_SCORED: dict[tuple, tuple] = {}
_SCORED_MAX = 1000


def scored_run(folder, task: str):
    """(row scores, their interval, gain over the base model or None) of a run."""
    try:
        stat = folder.outputs_file(outputs_kind(task), "after").stat()
        key = (str(folder.path), task, stat.st_size, stat.st_mtime_ns)
    except OSError:
        return RowScores(main_metric(task)), None, None
    if key not in _SCORED:
        scored = row_scores(folder, task)
        before = row_scores(folder, task, "before")
        score = bootstrap_ci(scored.scores)
        gain = score.value - _mean(before.scores) if before.scores else None
        if len(_SCORED) >= _SCORED_MAX:
            _SCORED.pop(next(iter(_SCORED)))
        _SCORED[key] = (scored, score, gain)
    return _SCORED[key]


def rank(group: Group) -> Group:
    """Best first (a tie on the score as shown breaks on macro-F1, then the faster per example,
    then the older run: studio.leaderboard.ties), names made unique, the best marked, the
    verdict, the tie note and the few-rows note."""
    from .ties import order, tie_note
    group.entries.sort(key=order)
    seen: dict[str, int] = {}
    for e in group.entries:
        seen[e.label] = seen.get(e.label, 0) + 1
    for e in group.entries:
        if seen[e.label] > 1:
            e.label = f"{e.label} ({e.run_id[-6:]})"
    group.entries[0].best = True
    if len(group.entries) > 1:
        first, second = group.entries[:2]
        group.verdict = decide(first.label, second.label, first.scored, second.scored)
        group.tie = tie_note(first, second, group.metric)
    group.note = few_rows_note(min(e.score.n for e in group.entries), group.metric)
    return group


def _mean(values) -> float:
    return sum(values) / len(values)


def _clean(value):
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) \
        else value
