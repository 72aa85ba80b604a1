"""Batch prediction the way the transformers docs show it: `pipeline("text-classification")`
streaming over the texts with `batch_size` (the docs' pipeline-batching example uses 8), every
class's score (`top_k=None`, like the studio's p_<label> columns), written to a CSV.

    python bench/peers/predict_pipeline.py --model RUN/model --file rows.csv --out out.csv
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0", time.time()))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--file", required=True, help="CSV with a 'text' column.")
    p.add_argument("--out", required=True)
    p.add_argument("--batch-size", type=int, default=8)
    args = p.parse_args()

    from transformers import pipeline
    with open(args.file, encoding="utf-8", newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    pipe = pipeline("text-classification", model=args.model, device="cpu")
    loaded = time.time()
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "text", "prediction", "score"])
        # A generator, as in the docs' streaming example: results come as they are computed
        # (a list would be predicted whole before the first result is returned).
        stream = pipe((t for t in texts), batch_size=args.batch_size, truncation=True,
                      top_k=None)
        for i, (text, scores) in enumerate(zip(texts, stream)):
            best = max(scores, key=lambda s: s["score"])
            w.writerow([i, text, best["label"], best["score"]])
            if (i + 1) % 1000 == 0:  # progress: a run cut short still tells its rate
                elapsed = time.time() - loaded
                print(json.dumps({"rows_done": i + 1, "predict_seconds": round(elapsed, 2),
                                  "rows_per_second": round((i + 1) / elapsed, 1),
                                  "partial": True}), flush=True)
    done = time.time()
    print(json.dumps({"rows": len(texts), "load_seconds": round(loaded - T0, 2),
                      "predict_seconds": round(done - loaded, 2),
                      "rows_per_second": round(len(texts) / (done - loaded), 1),
                      "batch_size": args.batch_size}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
