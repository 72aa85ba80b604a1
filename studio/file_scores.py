"""Classify a whole file and, when it has a label column, score it: the Try step's "Classify a
whole file", with the numbers `python -m studio eval` gives for the same file.

Every row of the file is predicted (a repeated row is a row to predict, never dropped: the
data layer's duplicate check is for training), and the predictions stream to a CSV.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class FileScore:
    rows: int                               # rows predicted (all written to the CSV)
    metrics: dict | None = None             # accuracy, macro_f1, confusion_matrix, ... or None
    unknown_labels: list = field(default_factory=list)  # labels the model was not trained on


def classify_and_score(lm, path: str, out: str) -> FileScore:
    """Predict every row of `path` into the CSV `out`; with a label column (classification),
    score the predictions against it exactly as `evaluate_file` does. A label the model was
    not trained on leaves the file unscored (named in `unknown_labels`)."""
    from .inference import _read_inputs
    from .metrics import classification_metrics
    from .predict import predict_frame
    ex = _read_inputs(lm, path).examples
    labelled = lm.task == "classification" and "label" in ex and len(ex) and \
        ex["label"].notna().all()
    result = predict_frame(lm, ex, path, out, keep=bool(labelled))
    if not labelled:
        return FileScore(result.count)
    gold = ex["label"].astype(str).tolist()
    unknown = sorted(set(gold) - set(lm.labels))
    if unknown:
        return FileScore(result.count, None, unknown)
    index = {n: i for i, n in enumerate(lm.labels)}
    pred = [index[r["prediction"]] for r in result.rows]
    metrics = classification_metrics(pred, [index[g] for g in gold], lm.labels)
    log.info("scored %s: accuracy %.4f on %d rows", path, metrics["accuracy"], len(gold))
    return FileScore(result.count, {**metrics, "rows": len(gold)})
