"""Benchmark: inspect and load a big CSV of real-looking text; wall time and peak memory per step.

    python bench/bigfile.py [--mb 300] [--keep] [--file PATH] [--steps inspect_file,load_job_data]
                            [--compare OLD_CHECKOUT]

The file is made of real sentences (SST-2 movie reviews and the alpaca demo's instructions and
answers, from ../shared/data or BENCH_DATA), shuffled and recombined into rows of id, text and a
sentiment label, quoted where the text holds commas or quotes. Near the end it plants an empty
text and a repeat of an earlier row, so the checks must reach the file's end to report them.

Each step runs in a fresh child process so its peak RSS is its own (ru_maxrss of the child,
which is VmHWM); "import only" is the baseline of Python + pandas + pyarrow + studio. Not part
of the test run.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("BENCH_CODE", ROOT))     # another copy of the studio, to compare
DATA = Path(os.environ.get("BENCH_DATA", ROOT.parent / "shared" / "data"))
LABELS = {"0": "negative", "1": "positive"}


def sentences(data: Path = DATA) -> tuple[list[tuple[str, str]], list[str]]:
    """(label, review) pairs from SST-2 and plain sentences from the alpaca demo."""
    reviews = []
    with open(data / "sst2_train.tsv", encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) == 2 and row[0] in LABELS and row[1].strip():
                reviews.append((LABELS[row[0]], row[1].strip()))
    other = []
    for rec in json.loads((data / "alpaca_en_demo.json").read_text(encoding="utf-8")):
        for field in ("instruction", "input", "output"):
            other += [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", rec.get(field) or "")
                      if 20 <= len(s.strip()) <= 400]
    return reviews, other


def make_csv(path: Path, mb: float, seed: int = 0, data: Path = DATA) -> int:
    """About `mb` megabytes of rows `id,text,label`; returns the number of rows."""
    rng = random.Random(seed)
    reviews, other = sentences(data)
    target = int(mb * 2**20)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["id", "text", "label"])
        first = None
        while f.tell() < target:
            label, text = rng.choice(reviews)
            parts = [text] + [rng.choice(reviews)[1] if rng.random() < 0.5 else rng.choice(other)
                              for _ in range(rng.randint(1, 4))]
            rng.shuffle(parts)
            row = [rows + 1, " ".join(parts), label]
            first = first or row
            out.writerow(row)
            rows += 1
        # Problems only a pass over the whole file finds: an empty text, a repeated row.
        out.writerow([rows + 1, "", "positive"])
        out.writerow([rows + 2] + first[1:])
        rows += 2
    return rows


STEPS = {
    "import only": "None",
    "inspect_file": "inspect_file(PATH)",
    "load_job_data": "load_job_data(CFG)",
}


def child(step: str, path: str) -> None:
    sys.path.insert(0, str(CODE))
    from studio.config import JobConfig
    from studio.data import inspect_file, load_job_data  # noqa: F401

    cfg = JobConfig()
    cfg.data.train_file = path
    scope = {"PATH": path, "CFG": cfg, "inspect_file": inspect_file,
             "load_job_data": load_job_data}
    start = time.perf_counter()
    result = eval(STEPS[step], scope)  # noqa: S307 - fixed expressions above
    seconds = time.perf_counter() - start
    out = {"seconds": seconds, "rows": None}
    if result is not None and hasattr(result, "rows"):
        out["rows"] = result.rows
        out["labels"] = result.labels
        out["problems"] = [p.message for p in result.problems]
    elif result is not None:
        out["rows"] = len(result.train) + len(result.validation)
        out["frame_mb"] = round(sum(int(f.memory_usage(deep=True).sum())
                                    for f in (result.train, result.validation)) / 2**20)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run_cli(path: Path, code: str, env: dict) -> dict:
    """`studio train` with the tiny-bert preset for one step: reading, checking, tokenizing and
    one step, in a child process (peak RSS from wait4); its own timing lines say when the
    first step ran."""
    workspace = tempfile.mkdtemp(prefix="studio-bench-ws-")
    cmd = [sys.executable, "-m", "studio", "train", "--data", str(path), "--model", "tiny-bert",
           "--workspace", workspace, "train.max_steps=1", "train.eval_strategy=no",
           "train.eval_before=false", "train.save_checkpoints=false"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code or CODE, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read()
    shutil.rmtree(workspace, ignore_errors=True)
    if status:
        sys.exit(f"train failed:\n{err[-3000:]}")
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "rows": None}


def run_step(step: str, path: Path, code: str = "") -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if code:
        env["BENCH_CODE"] = code
    if step == "train_cli":
        return run_cli(path, code, env)
    out = subprocess.run([sys.executable, __file__, "--child", step, str(path)],
                         capture_output=True, text=True, env=env)
    if out.returncode:
        sys.exit(f"{step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=300, help="size of the generated file")
    ap.add_argument("--file", help="measure this file instead of generating one")
    ap.add_argument("--steps", default=",".join(STEPS),
                    help="comma-separated steps to run; train_cli (not run by default) times "
                         "`studio train --model tiny-bert train.max_steps=1` end to end")
    ap.add_argument("--keep", action="store_true", help="keep the generated file")
    ap.add_argument("--compare", metavar="DIR",
                    help="also run each step with the studio copy in DIR (e.g. an older "
                         "checkout), alternately, so both see the same machine load")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    tmp = None
    if args.file:
        path = Path(args.file)
    else:
        tmp = tempfile.mkdtemp(prefix="studio-bench-")
        path = Path(tmp) / "big.csv"
        start = time.perf_counter()
        rows = make_csv(path, args.mb)
        print(f"generated {rows:,} rows, {path.stat().st_size / 2**20:.0f} MB in "
              f"{time.perf_counter() - start:.1f}s -> {path}")
    print(f"{'step':<26}{'seconds':>9}{'peak RSS MB':>13}{'rows':>11}")
    codes = [(args.compare, f" ({Path(args.compare).name})"), ("", " (this)")] \
        if args.compare else [("", "")]
    for step in args.steps.split(","):
        for code, which in codes:
            r = run_step(step, path, code)
            rows = "" if r["rows"] is None else f"{r['rows']:,}"
            print(f"{step + which:<26}{r['seconds']:>9.2f}{r['peak_mb']:>13.0f}{rows:>11}",
                  flush=True)
            for key in ("labels", "frame_mb"):
                if key in r:
                    print(f"    {key}: {r[key]}")
            for message in r.get("problems", []):
                print(f"    - {message}")
    if tmp and not args.keep:
        path.unlink()
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
