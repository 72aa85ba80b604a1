"""Prediction benchmark: `python -m studio predict --file` against a transformers
`pipeline("text-classification")` script, side by side, on 10,000 SST-2-style rows.

    python bench/predict.py [--rows 10000] [--rounds 2] [--run RUN_ID --workspace WS] [--quick]

The rows are sentences of SST-2's dev set, alone or two joined (so lengths vary the way a real
file's do), in a CSV with a `text` column. Without --run a MiniLM-L6 classifier is trained
first (20 steps on SST-2 train rows: speed does not depend on how well it learned). Each
contender runs in its own process, alternately (studio, pipeline, studio, pipeline, ...);
per child: wall time from launch to exit, rows/s over that wall time, the time spent
predicting (each tool's own clock around its prediction loop), peak resident memory
(`ru_maxrss` from `os.wait4`) and how much CPU other processes used meanwhile. The studio side
is the CLI itself; its prediction time is read from the child's own report (see --inner).
`bench/run.py --jobs prediction` runs this too.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
PIPELINE_BATCH = 8  # the transformers docs' pipeline-batching example (batch_size=8)


def make_rows(src: Path, n: int, out: Path, seed: int = 0) -> Path:
    """n SST-2-style rows: a dev sentence, or (3 in 10) two joined."""
    lines = src.read_text(encoding="utf-8").splitlines()[1:]
    sentences = [ln.split("\t", 1)[1].strip() for ln in lines if "\t" in ln]
    rng = random.Random(seed)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text"])
        for i in range(n):
            text = sentences[i % len(sentences)]
            if rng.random() < 0.3:
                text += " " + sentences[rng.randrange(len(sentences))]
            w.writerow([text])
    return out


def train_classifier(ws: Path, data: Path, timeout: float) -> str:
    """A MiniLM-L6 run to predict with (20 steps); returns its run id."""
    from run import PY, run_child
    argv = [PY, "-m", "studio", "train", "--data", str(data), "--model", "minilm-l6",
            "--workspace", str(ws), "--name", "predict-bench", "data.max_rows=2000",
            "train.max_steps=20", "train.eval_before=false", "train.eval_strategy=no",
            "train.save_checkpoints=false"]
    res = run_child(argv, ROOT, ws.parent / "train.log", timeout)
    if res["exit_code"] != 0:
        raise SystemExit(f"training the classifier failed: see {res['log']}")
    return sorted((ws / "runs").iterdir())[-1].name


def inner(args) -> int:
    """The studio contender: exactly what `python -m studio predict RUN --file F --out O`
    does (load_for_cli + predict_to_file), with its own clock around the prediction."""
    sys.path.insert(0, str(ROOT))
    t0 = float(os.environ.get("BENCH_T0", time.time()))
    from studio.quiet import quiet_libraries
    from studio.inference import load_for_cli, predict_to_file
    from studio.runs import Registry
    quiet_libraries()
    lm = load_for_cli(Registry(args.workspace), args.run)
    loaded = time.time()
    count = predict_to_file(lm, args.file, args.out)
    done = time.time()
    print(json.dumps({"rows": count, "load_seconds": round(loaded - t0, 2),
                      "predict_seconds": round(done - loaded, 2),
                      "rows_per_second": round(count / (done - loaded), 1)}), flush=True)
    return 0


def contender(who: str, run_id: str, ws: Path, rows_csv: Path, work: Path, rnd: int,
              timeout: float) -> dict:
    from run import PY, last_json_line, run_child
    out = work / f"{who}-r{rnd}.csv"
    if who == "studio":
        argv = [PY, str(BENCH / "predict.py"), "--inner", "--run", run_id, "--workspace",
                str(ws), "--file", str(rows_csv), "--out", str(out)]
    else:
        model = next(p for p in (ws / "runs").iterdir() if p.name == run_id) / "model"
        argv = [PY, str(BENCH / "peers" / "predict_pipeline.py"), "--model", str(model),
                "--file", str(rows_csv), "--out", str(out), "--batch-size",
                str(PIPELINE_BATCH)]
    res = run_child(argv, ROOT, work / f"{who}-r{rnd}.log", timeout)
    res.update(last_json_line(Path(res["log"])))
    res.update({"contender": who, "round": rnd, "command": " ".join(argv)})
    if res["exit_code"] == 0 and res.get("rows"):
        res["wall_rows_per_second"] = round(res["rows"] / res["wall_seconds"], 1)
    print(f"  [{who} r{rnd}] exit {res['exit_code']}, wall {res['wall_seconds']} s, predict "
          f"{res.get('predict_seconds')} s = {res.get('rows_per_second')} rows/s, peak "
          f"{res['peak_rss_mb']} MB, others {res['others_cores']} cores", flush=True)
    return res


def agreement(work: Path) -> float | None:
    """Share of rows where both tools predicted the same label (same model: should be ~1)."""
    a, b = work / "studio-r0.csv", work / "pipeline-r0.csv"
    if not (a.exists() and b.exists()):
        return None
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        pa = [r["prediction"] for r in csv.DictReader(fa)]
        pb = [r["prediction"] for r in csv.DictReader(fb)]
    return round(sum(x == y for x, y in zip(pa, pb)) / max(1, len(pa)), 4) \
        if len(pa) == len(pb) else None


def run_prediction(work: Path, data_dir: Path, rows: int, rounds: int, timeout: float,
                   run_id: str = "", ws: Path | None = None) -> dict:
    """Both contenders, alternately; returns the summary (also what bench/run.py stores)."""
    work.mkdir(parents=True, exist_ok=True)
    rows_csv = make_rows(data_dir / "sst2_dev.tsv", rows, work / "predict_rows.csv")
    if not run_id:
        ws = work / "predict-ws"
        print("training a MiniLM-L6 classifier (20 steps) to predict with ...", flush=True)
        run_id = train_classifier(ws, data_dir / "sst2_train.tsv", timeout)
    runs = [contender(who, run_id, ws, rows_csv, work, rnd, timeout)
            for rnd in range(rounds) for who in ("studio", "pipeline")]
    summary = {}
    for who in ("studio", "pipeline"):
        ok = [r for r in runs if r["contender"] == who and r["exit_code"] == 0
              and r.get("rows_per_second")]
        if ok:
            summary[who] = {k: statistics.median(r[k] for r in ok) for k in (
                "rows_per_second", "wall_rows_per_second", "predict_seconds",
                "wall_seconds", "peak_rss_mb")}
            summary[who]["others_cores"] = max(r["others_cores"] for r in ok)
    s, p = summary.get("studio", {}), summary.get("pipeline", {})
    ratio = round(s["rows_per_second"] / p["rows_per_second"], 2) if s and p else None
    wall = round(s["wall_rows_per_second"] / p["wall_rows_per_second"], 2) if s and p else None
    result = {"rows": rows, "rounds": rounds, "pipeline_batch_size": PIPELINE_BATCH,
              "summary": summary, "ratio_rows_per_second": ratio, "ratio_wall": wall,
              "same_prediction": agreement(work), "runs": runs,
              "targets": [{"target": "prediction: rows/s >= 3x pipeline", "measured": ratio,
                           "ok": bool(ratio and ratio >= 3)}]}
    print_table(result)
    return result


def print_table(result: dict) -> None:
    print(f"\nprediction: {result['rows']} rows, MiniLM-L6; medians over "
          f"{result['rounds']} round(s); pipeline batch_size {result['pipeline_batch_size']}")
    print(f"{'contender':<11}{'predict s':>10}{'rows/s':>9}{'wall s':>8}{'wall rows/s':>12}"
          f"{'peak MB':>9}{'others':>8}")
    for who, s in result["summary"].items():
        print(f"{who:<11}{s['predict_seconds']:>10.1f}{s['rows_per_second']:>9.1f}"
              f"{s['wall_seconds']:>8.1f}{s['wall_rows_per_second']:>12.1f}"
              f"{s['peak_rss_mb']:>9.0f}{s['others_cores']:>8.2f}")
    print(f"  studio / pipeline: rows/s x{result['ratio_rows_per_second']} (predicting), "
          f"x{result['ratio_wall']} (launch to exit); same label on "
          f"{result['same_prediction']} of rows")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=10_000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--quick", action="store_true", help="1,000 rows, 1 round.")
    p.add_argument("--run", default="", help="A classification run to predict with.")
    p.add_argument("--workspace", default="")
    p.add_argument("--work", default="")
    p.add_argument("--out", default="")
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--file", default="", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.inner:
        args.out = args.out or os.devnull
        return inner(args)
    from run import data_dir
    import tempfile
    work = Path(args.work or tempfile.mkdtemp(prefix="studio-predict-"))
    rows, rounds = (1000, 1) if args.quick else (args.rows, args.rounds)
    result = run_prediction(work, data_dir(), rows, rounds, args.timeout, args.run,
                            Path(args.workspace) if args.workspace else None)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
