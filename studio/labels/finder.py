"""A data file or a finished run -> a LabelReport: the rows whose given label looks wrong.

`check_file` (Data step "Check labels", `python -m studio labels FILE`) reads the file with the
studio's own pipeline (role guessing, row numbers, excluded rows), embeds the texts with MiniLM,
cross-fits a logistic regression for out-of-fold probabilities and ranks them (rank.py).
`check_run` (`python -m studio labels RUN`) ranks a fine-tuned run's held-out validation
predictions when the run folder has them, and otherwise falls back to `check_file` on the
run's training file, saying so in `note`.
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError
from . import rank

log = logging.getLogger(__name__)

MIN_ROWS = 10  # fewer rows than this cannot be cross-fitted into anything meaningful
# The default for "Exclude all above" and `labels FILE --out`: the top TOP_SHARE of the file's
# rows in the ranking, not every flagged row. On 3,000 SST-2 rows with 5% flipped
# (bench/labels_noise.py --train-compare, README "Suspicious labels") a MiniLM run without the
# top 5% won back most of what the flips cost, and one without every flagged row (26% flips
# among them) scored below the noisy run. The cut is a confidence (what the page's slider and
# --threshold hold), read from each report: the out-of-fold probabilities are shrunk toward
# even on small files (the flips of a 60-row file sit at 0.54-0.65, on 5,000 SST-2 rows the
# top 5% at 0.76 and above), so no one fixed number takes the same share of every file.
TOP_SHARE = 0.05
HOSTED_MAX_ROWS = 5000  # a hosted page checks a file's first rows only: about a minute of CPU


@dataclass
class Suspect:
    row: int            # 1-based data row number, as every other message of the studio counts
    text: str
    given: str          # the label in the file
    suggested: str      # the label the out-of-fold model finds likeliest
    confidence: float   # the suggestion's probability
    given_probability: float  # the given label's probability (the ranking's score)


@dataclass
class LabelReport:
    path: str
    source: str                      # "embeddings" (MiniLM + cross-fitting) or "run"
    method: str                      # the ranking method, for the README-style sentence
    rows: int                        # rows checked
    labels: list[str]
    suspects: list[Suspect] = field(default_factory=list)  # every flagged row, worst first
    roles: dict = field(default_factory=dict)
    seconds: float = 0.0
    note: str = ""                   # e.g. why a run fell back to its data file
    note_code: str = ""

    @property
    def per_class(self) -> dict[str, int]:
        """How many flagged rows carry each given label (every label listed, 0 included)."""
        counts = {label: 0 for label in self.labels}
        for s in self.suspects:
            counts[s.given] = counts.get(s.given, 0) + 1
        return counts

    def above(self, threshold: float) -> list[Suspect]:
        return [s for s in self.suspects if s.confidence >= threshold]

    @property
    def threshold(self) -> float:
        """The default cut: the confidence of the least confident of the TOP_SHARE most
        confident suggestions (rounded down to the slider's 0.01), 1.0 when nothing is flagged."""
        if not self.suspects:
            return 1.0
        take = min(len(self.suspects), max(1, math.ceil(TOP_SHARE * self.rows)))
        cut = sorted((s.confidence for s in self.suspects), reverse=True)[take - 1]
        return math.floor(cut * 100) / 100

    def to_dict(self, top: int | None = None) -> dict:
        shown = self.suspects if top is None else self.suspects[:top]
        return {"path": self.path, "source": self.source, "method": self.method,
                "rows": self.rows, "flagged": len(self.suspects), "per_class": self.per_class,
                "threshold": self.threshold,
                "labels": self.labels, "roles": self.roles, "seconds": round(self.seconds, 2),
                "note": self.note, "suspects": [asdict(s) for s in shown]}


def check_file(path, roles: dict | None = None, *, folds: int = 5, seed: int = 0,
               encoding: str = "", sheet: str = "", max_rows: int = 0) -> LabelReport:
    """Rank the suspicious labels of a classification file (out-of-fold probabilities)."""
    from . import crossfit, embed
    started = time.perf_counter()
    examples, insp = classification_examples(path, roles, encoding=encoding, sheet=sheet,
                                             max_rows=max_rows)
    labels = [str(x) for x in insp.labels]
    index = {label: i for i, label in enumerate(labels)}
    y = examples["label"].astype(str).map(index).to_numpy()
    pairs = examples["text_pair"].astype(str).tolist() if "text_pair" in examples else None
    features = embed.embed(examples["text"].astype(str).tolist(), pairs)
    probs = crossfit.out_of_fold(features, y, len(labels), folds=folds, seed=seed)
    report = LabelReport(path=str(path), source="embeddings", method=rank.method_name(),
                         rows=len(examples), labels=labels, roles=dict(insp.roles))
    report.suspects = suspects(examples, y, probs, labels)
    report.seconds = time.perf_counter() - started
    log.info("checked %d labels of %s in %.1f s: %d flagged", report.rows, path,
             report.seconds, len(report.suspects))
    return report


def classification_examples(path, roles=None, *, encoding="", sheet="", max_rows=0):
    """The usable rows (text, label, _row) of a classification file, and its Inspection; a
    DataError for a file that is not classification or too small to cross-fit."""
    from ..data import inspect_file
    from ..data.pipeline import raise_blocking
    # The task as the studio guesses it (the Data step's): a file of input-target pairs is
    # not forced into a classification it does not have.
    insp = inspect_file(path, roles=roles or None, encoding=encoding, sheet=sheet,
                        max_rows=max_rows)
    if insp.task != "classification":
        raise DataError(code="labels_not_classification", file=Path(str(path)).name)
    raise_blocking(insp)
    examples = insp.examples
    if examples is None:  # a big CSV read in a stream: read its usable rows' texts once
        examples, _ = insp.reader(insp.usable["_row"].to_numpy(), np.array([], dtype=int))
    counts = examples["label"].astype(str).value_counts()
    if len(examples) < MIN_ROWS or len(counts) < 2:
        raise DataError(code="labels_too_few", file=Path(str(path)).name, rows=len(examples),
                        classes=len(counts), need=MIN_ROWS)
    return examples.reset_index(drop=True), insp


def suspects(examples, y: np.ndarray, probs: np.ndarray, labels: list[str]) -> list[Suspect]:
    """The flagged rows, worst first, as Suspects; a flagged row whose likeliest label is its
    own (possible under noise-rate pruning) suggests nothing and is left out."""
    out = []
    texts = examples["text"].astype(str).tolist()
    rows = examples["_row"].astype(int).tolist()
    for i in rank.label_issues(y, probs):
        best = int(probs[i].argmax())
        if best == y[i]:
            continue
        out.append(Suspect(row=rows[i], text=texts[i], given=labels[y[i]],
                           suggested=labels[best], confidence=round(float(probs[i, best]), 4),
                           given_probability=round(float(probs[i, y[i]]), 4)))
    return out


def check_run(run, *, folds: int = 5, seed: int = 0) -> LabelReport:
    """A run's held-out validation predictions ranked, or (none there) its data file checked."""
    from ..runfolder import RunFolder
    folder = RunFolder(Path(run.run_dir))
    cfg = folder.config()
    rows = folder.outputs("predictions", "after") if cfg.task == "classification" else []
    rows = [r for r in rows if r.get("label") is not None and r.get("predicted") is not None]
    if not rows:
        from ..data import roles_from_config
        report = check_file(cfg.data.train_file, roles_from_config(cfg.data) or None,
                            folds=folds, seed=seed, encoding=cfg.data.encoding,
                            sheet=cfg.data.sheet)
        report.note_code = "labels_run_no_probabilities"
        report.note = (f"Run {run.id} has no held-out probabilities (no classification "
                       f"validation predictions in its folder), so its training file was "
                       f"checked with MiniLM embeddings instead.")
        return report
    return run_report(run.id, cfg, rows)


def run_report(run_id: str, cfg, rows: list[dict]) -> LabelReport:
    """Rank a run's validation rows. A row records the predicted label and its probability;
    with two classes that is the whole distribution, with more the rest is spread evenly over
    the other classes (exact probabilities where a row has `probabilities`)."""
    import pandas as pd
    started = time.perf_counter()
    labels = sorted({str(r["label"]) for r in rows} | {str(r["predicted"]) for r in rows})
    index = {label: i for i, label in enumerate(labels)}
    probs = np.zeros((len(rows), len(labels)))
    for i, r in enumerate(rows):
        given = r.get("probabilities")
        if isinstance(given, dict):
            for k, v in given.items():
                if str(k) in index:
                    probs[i, index[str(k)]] = float(v)
            continue
        p = float(r.get("confidence") or 0.0)
        probs[i, :] = (1.0 - p) / max(1, len(labels) - 1)
        probs[i, index[str(r["predicted"])]] = p
    y = np.array([index[str(r["label"])] for r in rows])
    examples = pd.DataFrame({"text": [str(r.get("text", "")) for r in rows],
                             "_row": [int(r.get("row", i + 1)) for i, r in enumerate(rows)]})
    report = LabelReport(path=cfg.data.validation_file or cfg.data.train_file, source="run",
                         method=rank.method_name(), rows=len(rows), labels=labels)
    report.suspects = suspects(examples, y, probs, labels)
    report.seconds = time.perf_counter() - started
    report.note = (f"Ranked the {len(rows)} held-out validation rows of run {run_id} by the "
                   f"fine-tuned model's own probabilities.")
    report.note_code = "labels_run_heldout"
    return report
