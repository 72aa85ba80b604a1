"""Two runs side by side: what differs in their settings, both runs' metrics and loss curves,
and the validation rows where they disagree.

Disagreements pair rows by key (studio.leaderboard.scores). Classification: the rows one run
gets right and the other wrong, with the label and both predictions. Generation: the samples
whose outputs differ, both next to the reference, the largest chrF gap first.
Hosted, a run of another owner is refused exactly like a missing one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import RunError
from ..fields import iter_fields
from .scores import row_scores


@dataclass
class Side:
    run_id: str
    label: str
    model: str
    task: str
    metrics: dict          # metrics.json: before, after, train_seconds, ...
    curves: list[dict]     # {series: train | eval, step, value}


@dataclass
class Comparison:
    a: Side
    b: Side
    config_diff: list[tuple[str, object, object]]   # (dotted path, a's value, b's value)
    shared_rows: int
    disagreements: list[dict] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        """The gold labels among the disagreeing rows (the label filter's choices)."""
        return sorted({str(r["label"]) for r in self.disagreements if "label" in r})

    def rows(self, label: str | None = None) -> list[dict]:
        """The disagreeing rows, only those of gold label `label` when given."""
        if not label:
            return list(self.disagreements)
        return [r for r in self.disagreements if str(r.get("label")) == str(label)]


def compare(registry, run_a: str, run_b: str, owner: str | None = None) -> Comparison:
    runs = []
    for ref in (run_a, run_b):
        run = registry.get(ref, **({} if owner is None else {"owner": owner})) if ref else None
        if run is None:
            raise RunError(code="no_run", run=ref)
        runs.append(run)
    if runs[0].id == runs[1].id:
        raise RunError(code="same_run", run=runs[0].id)
    folders = [registry.folder(r) for r in runs]
    sides = [Side(r.id, r.label, r.model, r.task,
                  f.metrics(), curves(f.events())) for r, f in zip(runs, folders)]
    if sides[0].label == sides[1].label:
        for s in sides:
            s.label = f"{s.label} ({s.run_id[-6:]})"
    diff = config_diff(*(f.config() for f in folders))
    shared, rows = disagreements(folders, runs[0].task, runs[1].task)
    return Comparison(sides[0], sides[1], diff, shared, rows)


def config_diff(a, b) -> list[tuple[str, object, object]]:
    """Every setting whose value differs, by dotted path (recorded fields such as the data
    fingerprint only when they differ too)."""
    theirs = {path: value for path, _, value in iter_fields(b)}
    return [(path, value, theirs.get(path)) for path, _, value in iter_fields(a)
            if value != theirs.get(path)]


def curves(events: list[dict]) -> list[dict]:
    """The train loss of every logged step and the eval loss of every evaluation."""
    points = []
    for e in events:
        if e.get("type") == "log" and e.get("loss") is not None:
            points.append({"series": "train", "step": e.get("step", 0), "value": e["loss"]})
        elif e.get("type") == "eval" and (e.get("metrics") or {}).get("eval_loss") is not None:
            points.append({"series": "eval", "step": e.get("step", 0),
                           "value": e["metrics"]["eval_loss"]})
    return points


def disagreements(folders, task_a: str, task_b: str) -> tuple[int, list[dict]]:
    """(rows both runs scored, the rows where they disagree)."""
    if task_a != task_b:
        return 0, []
    a, b = (row_scores(f, task_a) for f in folders)
    where = b.by_key()
    shared = [(i, where[k]) for i, k in enumerate(a.keys) if k in where]
    out = []
    for i, j in shared:
        ra, rb = a.rows[i], b.rows[j]
        if task_a == "classification":
            if (a.scores[i] > 0) != (b.scores[j] > 0):
                out.append({"key": a.keys[i], "text": ra.get("text", ""),
                            "label": ra.get("label"), "a_predicted": ra.get("predicted"),
                            "b_predicted": rb.get("predicted"),
                            "right": "a" if a.scores[i] > 0 else "b"})
        elif str(ra.get("generated", "")).strip() != str(rb.get("generated", "")).strip():
            out.append({"key": a.keys[i], "prompt": ra.get("prompt", ""),
                        "reference": ra.get("reference", ""),
                        "a_generated": ra.get("generated", ""),
                        "b_generated": rb.get("generated", ""),
                        "a_chrf": round(a.scores[i], 1), "b_chrf": round(b.scores[j], 1)})
    if task_a != "classification":
        out.sort(key=lambda r: -abs(r["a_chrf"] - r["b_chrf"]))
    return len(shared), out
