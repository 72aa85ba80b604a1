"""Other out-of-fold scores for "Check labels", on cached embeddings (seconds per try).

    python bench/labels_tries.py [--seed 0] [--rows 5000] [--cache DIR] [--cuts]

The same noisy files as bench/labels_noise.py (SST-2 `--rows` sampled, the shipped sample; 5%
flipped with the seed) are embedded once with studio.labels.embed and cached in --cache; then
each score's top-5% precision (flipped rows among the top 5% of cleanlab's self-confidence
ranking of its probabilities) is printed for:

  lr          the kept model: studio.labels.crossfit.out_of_fold (LR C=1, 5 folds)
  lr-repN     that LR's out-of-fold probabilities averaged over N repeated 5-fold splits
              (seeds 0..N-1): less dependence on which rows share a fold
  knnK        kNN consensus on the unit embeddings: each row's class shares among its K
              nearest other rows (cosine), smoothed by half a vote per class
  knnK+lr     the mean of the two
--cuts prints instead, for the kept model, the flips among the rows at least each confidence
and what the default cut (studio.labels.finder.LabelReport.threshold: the top 5% of the rows)
takes. Results are in README "### Suspicious labels" and bench/results/labels_noise/tries.md.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labels_noise import ROOT, flip, sst2  # noqa: E402  (also puts the repo on sys.path)


def cached(name: str, frame: pd.DataFrame, seed: int, cache: Path):
    """The noisy file's embeddings, class indices and flipped (0-based) rows."""
    file = cache / f"{name}-{len(frame)}-{seed}.npz"
    if not file.exists():
        from studio.labels import embed
        noisy, flipped = flip(frame.reset_index(drop=True), 0.05, seed)
        labels = sorted(noisy["label"].astype(str).unique())
        y = noisy["label"].astype(str).map({x: i for i, x in enumerate(labels)}).to_numpy()
        np.savez(file, X=embed.embed(noisy["text"].astype(str).tolist()), y=y,
                 flipped=np.array(sorted(flipped)) - 1)
    d = np.load(file)
    return d["X"], d["y"], set(d["flipped"].tolist())


def top_precision(y, probs, flipped: set, k: int) -> float:
    from studio.labels import rank
    issues = [i for i in rank.label_issues(y, probs) if probs[i].argmax() != y[i]][:k]
    return len(set(issues) & flipped) / max(1, len(issues))


def knn_probs(X, y, n_classes: int, k: int) -> np.ndarray:
    sims = X @ X.T
    np.fill_diagonal(sims, -np.inf)  # a row is not its own neighbour
    nearest = np.argpartition(-sims, k, axis=1)[:, :k]
    share = np.stack([(y[nearest] == c).mean(1) for c in range(n_classes)], 1)
    return (share * k + 0.5) / (k + 0.5 * n_classes)


def cuts(name: str, y, probs, flipped: set) -> None:
    """Flips among the flagged rows at least each confidence, and the default cut's share."""
    from studio.labels import rank
    from studio.labels.finder import LabelReport, Suspect
    issues = [i for i in rank.label_issues(y, probs) if probs[i].argmax() != y[i]]
    report = LabelReport(path=name, source="embeddings", method="", rows=len(y), labels=[],
                         suspects=[Suspect(row=i, text="", given="", suggested="",
                                           confidence=float(probs[i].max()),
                                           given_probability=float(probs[i][y[i]]))
                                   for i in issues])
    for cut in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, report.threshold):
        took = {s.row for s in report.above(cut)}
        hit = len(took & flipped)
        print(f"{name:18s} {'default ' if cut == report.threshold else ''}cut {cut:.2f}: "
              f"{len(took)} rows, flips among them {hit / max(1, len(took)):.2f}, "
              f"recall {hit / len(flipped):.2f}", flush=True)


def main() -> int:
    from studio.labels.crossfit import out_of_fold
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--cache", default="/tmp/labels_tries")
    ap.add_argument("--cuts", action="store_true", help="confidence cuts of the kept model")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    sample = pd.read_csv(ROOT / "assets" / "samples" / "reviews_sentiment.csv")
    for name, frame in (("sst2", sst2(args.rows, args.seed)), ("reviews_sentiment", sample)):
        X, y, flipped = cached(name, frame, args.seed, cache)
        n, k = int(y.max()) + 1, math.ceil(0.05 * len(y))
        started = time.perf_counter()
        lr = out_of_fold(X, y, n, seed=args.seed)
        if args.cuts:
            cuts(name, y, lr, flipped)
            continue
        tries = {"lr": (lr, time.perf_counter() - started)}
        for reps in (3, 5, 10):
            started = time.perf_counter()
            p = np.mean([out_of_fold(X, y, n, seed=args.seed + s) for s in range(reps)], 0)
            tries[f"lr-rep{reps}"] = (p, time.perf_counter() - started)
        for kk in (5, 10, 20, 50):
            started = time.perf_counter()
            p = knn_probs(X, y, n, min(kk, len(y) - 1))
            tries[f"knn{kk}"] = (p, time.perf_counter() - started)
            tries[f"knn{kk}+lr"] = ((p + lr) / 2, tries[f"knn{kk}"][1] + tries["lr"][1])
        for label, (probs, seconds) in tries.items():
            precision = top_precision(y, probs, flipped, k)
            print(f"{name:18s} {label:10s} top-5% precision {precision:.3f}  ({seconds:.1f} s)",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
