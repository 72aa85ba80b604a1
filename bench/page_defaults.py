"""The chat job as a user gets it from the page: Start -> done, evaluation included.

`bench/run.py` times the studio's training with evaluation off (the same work as its peers).
A user who presses Start on the Train step with nothing changed gets the page's defaults:
evaluation of the base model, evaluation during and after training, generated samples, a
checkpoint, the model saved. This times that, from `JobQueue.submit` (what the Start button
calls) to the run's `done` event, split into the stages the run's own events mark.

    python bench/page_defaults.py                 # the instruction job's 200 records
    python bench/page_defaults.py --rows 24       # a small check (a few minutes on 2 cores)

Also run by `python bench/run.py` after the instruction job (`--skip-page` leaves it out).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

# A child process: the queue, the page's defaults, the run's events read back at the end.
CODE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from studio.config import JobConfig
from studio.events import FINAL_TYPES, read_all
from studio.launcher import JobQueue
from studio.runs import Registry
ws, train, model, timeout = sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
registry = Registry(ws)
queue = JobQueue(registry)
cfg = JobConfig(task="chat")   # the Train step untouched: every other value is the default
cfg.data.train_file, cfg.model.name = train, model
t0 = time.time()
run = queue.submit(cfg)        # what the Start button calls
path = registry.run_dir(run.id) / "events.jsonl"
final = None
while time.time() - t0 < timeout and final is None:
    time.sleep(0.5)
    final = next((e for e in read_all(path) if e["type"] in FINAL_TYPES), None)
if final is None:  # out of time: stop the run (asked, then killed), it is not ours to leave
    from studio.control import request_stop
    for _ in range(2):
        request_stop(registry, registry.get(run.id))
        time.sleep(5)
events = read_all(path)
marks = [(e["stage"], e["time"]) for e in events if e["type"] == "stage"]
end = final["time"] if final else time.time()
stages = {}  # a stage still running at the timeout counts until then
for i, (name, at) in enumerate(marks):  # each stage lasts until the next one (or the end)
    stages[name] = round(stages.get(name, 0) + (marks[i + 1][1] if i + 1 < len(marks)
                                                  else end) - at, 2)
start = next((e for e in events if e["type"] == "start"), {})
metrics = json.loads((registry.run_dir(run.id) / "metrics.json").read_text()) \
    if (registry.run_dir(run.id) / "metrics.json").exists() else {}
print(json.dumps({
    "run_id": run.id, "status": final["type"] if final else "timeout",
    "last_eval_progress": next((e for e in reversed(events) if e["type"] == "eval_progress"),
                               None),
    "start_to_done": round(end - t0, 2),
    "before_first_stage": round(marks[0][1] - t0, 2) if marks else None,
    "stages": stages, "train_seconds": metrics.get("train_seconds"),
    "train_rows": start.get("train_rows"), "validation_rows": start.get("validation_rows"),
    "total_steps": start.get("total_steps"),
    "settings": {k: start.get(k) for k in ("method", "precision", "epochs", "batch_size")},
    "eval_before": cfg.train.eval_before, "generation_samples_default":
        cfg.train.generation_samples}))
"""


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_page_defaults(work: Path, train_file: Path, model: str = "smollm2-135m",
                      timeout: float = 3600) -> dict:
    """One end-to-end run of the page's defaults; its times, the load average around it."""
    from run import run_snippet  # the harness's child runner: CPU of others, peak memory
    work.mkdir(parents=True, exist_ok=True)
    before = load_average()
    res = run_snippet(CODE, [str(ROOT), str(work / "page-ws"), str(train_file), model,
                             str(timeout)], work, "page-defaults", timeout + 120)
    res["load_average_before"], res["load_average_after"] = before, load_average()
    return {k: v for k, v in res.items() if k not in ("t0",)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=200, help="alpaca records to train on")
    p.add_argument("--model", default="smollm2-135m")
    p.add_argument("--work", default="")
    p.add_argument("--timeout", type=float, default=3600)
    p.add_argument("--out", default=str(BENCH / "results" / "page_defaults.json"))
    args = p.parse_args(argv)
    sys.path.insert(0, str(BENCH))
    from run import data_dir, save
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="studio-page-"))
    records = json.loads((data_dir() / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    train = work / "chat_train.json"
    work.mkdir(parents=True, exist_ok=True)
    train.write_text(json.dumps(records[:args.rows], ensure_ascii=False, indent=1))
    res = run_page_defaults(work, train, args.model, args.timeout)
    res.update(rows=args.rows, model=args.model, date=time.strftime("%Y-%m-%d %H:%M:%S %Z"),
               command="python bench/page_defaults.py " + " ".join(
                   sys.argv[1:] if argv is None else argv))
    save(res, args.out)
    print(json.dumps(res, indent=1))
    return 0 if res.get("status") == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
