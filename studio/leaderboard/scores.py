"""Per-row scores of one run's validation outputs: what every interval and test is built on.

Classification: accuracy, row by row 100 (right) or 0 (wrong). Accuracy and not macro-F1 is
the main metric because it is a mean over rows: each row's contribution is known, so the
bootstrap can resample rows and McNemar's test can pair them; macro-F1 is a ratio over the
whole set (it is still shown next to it). Generation: sentence chrF (sacrebleu) of each
generated sample against its reference: a per-row character F-score that works for any
language; only the `train.generation_samples` rows a run generated are scored.

Rows of two runs pair up by their `key` (studio.rowkeys: a hash of the row's content); rows
written before keys existed get the same key from their text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..rowkeys import row_keys

CLASSIFICATION_METRIC = "accuracy"
GENERATION_METRIC = "chrf"


@dataclass
class RowScores:
    """One run's scored validation rows: metric name, keys, scores (0-100) and the rows."""
    metric: str
    keys: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)

    def by_key(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}


def main_metric(task: str) -> str:
    return CLASSIFICATION_METRIC if task == "classification" else GENERATION_METRIC


def outputs_kind(task: str) -> str:
    return "predictions" if task == "classification" else "samples"


def row_scores(folder, task: str, phase: str = "after") -> RowScores:
    """The scored rows of `folder` (a RunFolder) for `phase`; empty when it wrote none."""
    rows = folder.outputs(outputs_kind(task), phase)
    metric = main_metric(task)
    if task == "classification":
        scores = [100.0 if r.get("label") == r.get("predicted") else 0.0 for r in rows]
    else:
        scores = [sentence_chrf(r.get("generated"), r.get("reference")) for r in rows]
    return RowScores(metric, keys_of(rows), scores, rows)


def keys_of(rows: list[dict]) -> list[str]:
    """Each row's `key`; rows without one are keyed by their text (prompt for samples)."""
    fallback = row_keys(str(r.get("text", r.get("prompt", ""))) for r in rows)
    return [str(r["key"]) if r.get("key") else k for r, k in zip(rows, fallback)]


def sentence_chrf(generated, reference) -> float:
    import sacrebleu
    return float(sacrebleu.sentence_chrf(str(generated or "").strip(),
                                         [str(reference or "").strip()]).score)


def paired(a: RowScores, b: RowScores) -> tuple[list[str], list[float], list[float]]:
    """The keys both runs scored, in a's order, with each run's score on them."""
    where = b.by_key()
    keys = [k for k in a.keys if k in where]
    ia = a.by_key()
    return keys, [a.scores[ia[k]] for k in keys], [b.scores[where[k]] for k in keys]
