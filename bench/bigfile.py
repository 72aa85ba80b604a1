"""Benchmark: preview and load a 1,000,000-row (~200 MB) CSV; time and peak memory per step.

    python bench/bigfile.py [--rows 1000000] [--keep]

Each step runs in a fresh child process so its peak RSS is its own (ru_maxrss of the child);
"import only" is the baseline of Python + pandas + pyarrow + studio. Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("the movie was surprisingly good , though the plot dragged in the middle and the "
         "ending felt rushed ; still \"worth\" watching for the cast alone").split()


def make_csv(path: Path, rows: int, seed: int = 0) -> None:
    """~200 bytes per row: id, label, a text with commas and quotes (so it needs quoting)."""
    rng = random.Random(seed)
    labels = ("positive", "negative", "neutral")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("id,label,text\n")
        for i in range(rows):
            text = " ".join(rng.choice(WORDS) for _ in range(34)).replace('"', '""')
            f.write(f'{i},{labels[i % 3]},"{text} #{i}"\n')


STEPS = {
    "import only": "None",
    "preview (nrows=20)": "read_table(PATH, nrows=20)",
    "read_table (all rows)": "read_table(PATH)",
    "inspect_file": "inspect_file(PATH)",
    "load_job_data": "load_job_data(CFG)",
}


def child(step: str, path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from studio.config import JobConfig
    from studio.data import inspect_file, load_job_data, read_table  # noqa: F401

    cfg = JobConfig()
    cfg.data.train_file = path
    scope = {"PATH": path, "CFG": cfg, "read_table": read_table, "inspect_file": inspect_file,
             "load_job_data": load_job_data}
    start = time.perf_counter()
    result = eval(STEPS[step], scope)  # noqa: S307 - fixed expressions above
    seconds = time.perf_counter() - start
    rows = None
    if isinstance(result, tuple):
        rows = len(result[0])
    elif result is not None and hasattr(result, "rows"):
        rows = result.rows
    elif result is not None:
        rows = len(result.train) + len(result.validation)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "rows": rows}))


def run_step(step: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", step, str(path)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", action="store_true", help="keep the generated file")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    tmp = tempfile.mkdtemp(prefix="studio-bench-")
    path = Path(tmp) / "big.csv"
    start = time.perf_counter()
    make_csv(path, args.rows)
    size_mb = path.stat().st_size / 2**20
    print(f"generated {args.rows:,} rows, {size_mb:.0f} MB in {time.perf_counter() - start:.1f}s"
          f" -> {path}")
    print(f"{'step':<24}{'seconds':>9}{'peak RSS MB':>13}{'rows':>10}")
    for step in STEPS:
        r = run_step(step, path)
        rows = "" if r["rows"] is None else f"{r['rows']:,}"
        print(f"{step:<24}{r['seconds']:>9.2f}{r['peak_mb']:>13.0f}{rows:>10}")
    if not args.keep:
        path.unlink()
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
