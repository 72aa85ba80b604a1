"""Benchmark: does "Check labels" find labels flipped at random? Precision, recall and time.

    python bench/labels_noise.py [--seed 0] [--rows 5000] [--noise 0.05] [--out DIR]

For SST-2 (../shared/data/sst2_train.tsv or $BENCH_DATA, `--rows` rows sampled with the seed)
and the shipped English sentiment sample (assets/samples/reviews_sentiment.csv, all 200 rows):
flip `--noise` of the labels at random (seeded) to the other class, run the engine's finder
(studio.labels.check_file: MiniLM embeddings, 5-fold out-of-fold logistic regression,
cleanlab's find_label_issues ranked by self-confidence), and score the top `--noise` share of
the ranked rows against the flipped ones: precision (flipped among those flagged) and recall
(flagged among those flipped). Also the whole flagged set's precision / recall and the wall
time of the check (reading, embedding, cross-fitting, ranking; the encoder's one-time load
included). Writes a JSON and a Markdown table to --out. Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def sst2(rows: int, seed: int) -> pd.DataFrame:
    from studio.data import inspect_file
    data = Path(os.environ.get("BENCH_DATA", ROOT.parent / "shared" / "data"))
    insp = inspect_file(data / "sst2_train.tsv", task="classification")
    examples = insp.examples if insp.examples is not None else insp.reader(
        insp.usable["_row"].to_numpy(), np.array([], dtype=int))[0]
    sample = examples.sample(n=min(rows, len(examples)), random_state=seed)
    return pd.DataFrame({"text": sample["text"].astype(str).to_numpy(),
                         "label": sample["label"].astype(str).to_numpy()})


def flip(frame: pd.DataFrame, share: float, seed: int) -> tuple[pd.DataFrame, set[int]]:
    """A copy with `share` of the labels changed to another class; the 1-based rows flipped."""
    rng = np.random.default_rng(seed)
    labels = sorted(frame["label"].unique())
    picked = rng.choice(len(frame), size=int(round(share * len(frame))), replace=False)
    out = frame.copy()
    for i in picked:
        others = [x for x in labels if x != out.at[i, "label"]]
        out.at[i, "label"] = others[rng.integers(len(others))]
    return out, {int(i) + 1 for i in picked}


def measure(name: str, frame: pd.DataFrame, share: float, seed: int, folder: Path) -> dict:
    from studio.labels import check_file
    noisy, flipped = flip(frame.reset_index(drop=True), share, seed)
    path = folder / f"{name}_noisy.csv"
    noisy.to_csv(path, index=False)
    started = time.perf_counter()
    report = check_file(path, {"text": "text", "label": "label"}, seed=seed)
    seconds = time.perf_counter() - started
    k = math.ceil(share * len(noisy))
    top = [s.row for s in report.suspects[:k]]
    flagged = [s.row for s in report.suspects]
    hit_top, hit_all = len(flipped & set(top)), len(flipped & set(flagged))
    return {"data": name, "rows": report.rows, "flipped": len(flipped), "top_k": k,
            "ranked_in_top": len(top), "precision_top": hit_top / max(1, len(top)),
            "recall_top": hit_top / max(1, len(flipped)), "flagged": len(flagged),
            "precision_flagged": hit_all / max(1, len(flagged)),
            "recall_flagged": hit_all / max(1, len(flipped)), "seconds": round(seconds, 1),
            "method": report.method}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "labels_noise"))
    args = ap.parse_args()
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    sample = pd.read_csv(ROOT / "assets" / "samples" / "reviews_sentiment.csv")
    results = [measure("sst2", sst2(args.rows, args.seed), args.noise, args.seed, folder),
               measure("reviews_sentiment", sample, args.noise, args.seed, folder)]
    lines = ["| data | rows | flipped | top 5% precision | top 5% recall | flagged | "
             "flagged precision | flagged recall | seconds |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['data']} | {r['rows']:,} | {r['flipped']} | "
                     f"{r['precision_top']:.2f} | {r['recall_top']:.2f} | {r['flagged']} | "
                     f"{r['precision_flagged']:.2f} | {r['recall_flagged']:.2f} | "
                     f"{r['seconds']} |")
    table = "\n".join(lines)
    (folder / "results.json").write_text(json.dumps(results, indent=2))
    (folder / "results.md").write_text(table + "\n")
    print(table)
    print(f"method: {results[0]['method']}; cpu threads: {os.cpu_count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
