"""Finished runs written straight into a workspace, with known validation outputs, so the
leaderboard's numbers can be checked against values computed by hand."""
from __future__ import annotations

from studio.config import JobConfig
from studio.events import EventWriter
from studio.rowkeys import row_keys


def fake_run(registry, name: str, outputs: list[dict], *, task="classification",
             fingerprint="f" * 64, before: list[dict] | None = None, owner: str = "",
             model="tiny-bert", lr=5e-5, parameters=1000, train_seconds=10.0, sps=50.0,
             latency_ms=2.0, status="done", created: float | None = None) -> str:
    """A run folder as training leaves it: job.yaml, the start event, metrics.json and the
    validation outputs (`outputs`: classification rows {text, label, predicted}, generation
    rows {prompt, reference, generated}); keys are added from the text like the engine does."""
    cfg = JobConfig(task=task, name=name)
    cfg.data.train_file = "/data/reviews.csv"
    cfg.data.fingerprint = fingerprint
    cfg.model.name = model
    cfg.train.learning_rate = lr
    run = registry.new_run(cfg, owner=owner)
    folder = registry.folder(run)
    kind = "predictions" if task == "classification" else "samples"
    for phase, rows in (("after", outputs), ("before", before)):
        if rows is None:
            continue
        keys = row_keys(r.get("text", r.get("prompt", "")) for r in rows)
        folder.write_outputs(kind, phase, [{**r, "key": k} for r, k in zip(rows, keys)])
    EventWriter(folder.events_file).emit("start", task=task, model=model,
                                         parameters=parameters, trainable=parameters)
    writer = EventWriter(folder.events_file)
    for step, loss in ((1, 0.9), (2, 0.7)):
        writer.emit("log", step=step, loss=loss)
    writer.emit("eval", phase="after", step=2, metrics={"eval_loss": 0.6})
    folder.write_metrics({"before": {}, "after": {"timing": {"latency_ms": latency_ms}},
                          "train_seconds": train_seconds, "train_samples_per_second": sps})
    fields = {"status": status, "task": task}
    if created is not None:
        fields["created"] = created
    registry.update(run.id, **fields)
    return run.id


def labelled(n: int, right: set[int], labels=("positive", "negative")) -> list[dict]:
    """n classification rows; the rows in `right` are predicted correctly."""
    rows = []
    for i in range(n):
        gold = labels[i % 2]
        other = labels[(i + 1) % 2]
        rows.append({"row": i, "text": f"review number {i}", "label": gold,
                     "predicted": gold if i in right else other})
    return rows
