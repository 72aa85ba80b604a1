"""What the advisor reads from one run folder: its own events, metrics.json, job.yaml and
per-row outputs, through RunFolder (the one owner of the folder's file names)."""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from ..events import FINAL_TYPES
from ..runfolder import RunFolder

log = logging.getLogger(__name__)


@dataclass
class RunFacts:
    task: str = ""
    family: str = ""
    method: str = ""
    model: str = ""
    parameters: int = 0
    trainable: int = 0
    train_rows: int = 0
    learning_rate: float | None = None
    epochs: float = 0.0
    max_steps: int = -1
    batch_size: int = 0
    load_best: bool = False  # the Trainer keeps the best checkpoint (early stopping is on)
    logs: list = field(default_factory=list)   # (step, epoch, loss or None for NaN)
    evals: list = field(default_factory=list)  # (step, epoch, eval_loss) during training
    final: dict = field(default_factory=dict)  # the done / failed / stopped event
    after: dict = field(default_factory=dict)  # metrics.json "after"
    samples: list = field(default_factory=list)  # samples_after rows (generation)


def read_facts(folder: RunFolder) -> RunFacts:
    f = RunFacts()
    events = folder.events()
    start = next((e for e in events if e.get("type") == "start"), {})
    f.task, f.family = start.get("task") or "", start.get("family") or ""
    f.method, f.model = start.get("method") or "", start.get("model") or ""
    f.parameters = int(start.get("parameters") or 0)
    f.trainable = int(start.get("trainable") or 0)
    f.train_rows = int(start.get("train_rows") or 0)
    f.epochs = float(start.get("epochs") or 0)
    f.batch_size = int(start.get("batch_size") or 0)
    for e in events:
        if e.get("type") == "log" and isinstance(e.get("step"), (int, float)):
            loss = e.get("loss")
            f.logs.append((int(e["step"]), float(e.get("epoch") or 0),
                           float(loss) if loss is not None and math.isfinite(loss) else None))
            if f.learning_rate is None and e.get("learning_rate"):
                f.learning_rate = float(e["learning_rate"])
        elif e.get("type") == "eval" and e.get("phase") == "during":
            value = (e.get("metrics") or {}).get("eval_loss")
            if isinstance(value, (int, float)) and math.isfinite(value):
                f.evals.append((int(e.get("step") or 0), float(e.get("epoch") or 0),
                                float(value)))
    f.final = next((e for e in reversed(events) if e.get("type") in FINAL_TYPES), {})
    f.after = folder.metrics().get("after") or {}
    job_settings(folder, f)
    if f.task and f.task != "classification":
        f.samples = folder.outputs("samples", "after")
    return f


def job_settings(folder: RunFolder, f: RunFacts) -> None:
    """The resolved job's settings (job.yaml); a job that cannot be read leaves what the
    events said."""
    try:
        cfg = folder.config()
    except Exception as e:  # noqa: BLE001 - an unreadable job only loses the job's settings
        log.info("advisor: job.yaml of %s unreadable: %s", folder.id, e)
        return
    t = cfg.train
    f.learning_rate = t.learning_rate or f.learning_rate
    f.epochs, f.max_steps = float(t.epochs), int(t.max_steps)
    f.batch_size = f.batch_size or int(t.batch_size)
    f.load_best = t.early_stopping_patience > 0 and t.eval_strategy != "no"
    f.task = f.task or cfg.task
    f.model = f.model or cfg.model.name
    f.method = f.method or cfg.method.method
