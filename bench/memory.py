"""Memory planner check: predicted vs measured peak resident memory of real training runs.

    python bench/memory.py --measure [--jobs classification,instruction,seq2seq,smollm2_full,...]
    python bench/memory.py            # the table from bench/results/memory.json + predictions

Each job is one `python -m studio train ... train.max_steps=N` child (the peak is reached in
the first steps and in the evaluations around them), run one at a time; its peak is the
child's own VmHWM, written by the child as it exits (`ru_maxrss` would include the parent's
peak, which Linux carries over fork and exec). A sampler also records the resident size at each
stage the run reports (events.jsonl), to see *where* the peak is. The planner is switched off
in the children (a huge STUDIO_MEMORY_BUDGET_MB) so they run exactly the configured job.
Predictions come from `studio.jobs.memory.estimate` on the same job, resolved the same way.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
RESULTS = BENCH / "results" / "memory.json"
STEPS = 3

# The three benchmark jobs (bench/run.py JOBS, full sizes) and the page's SmolLM2 chat job.
COMMON = ["train.eval_strategy=no", "train.eval_before=false", "train.save_checkpoints=false",
          "train.generation_samples=0", "train.warmup_ratio=0", "train.weight_decay=0"]


def jobs(files: dict) -> dict:
    return {
        "classification": dict(
            label="classification: MiniLM-L6, SST-2, batch 16, max_length 128, full",
            args=["--data", files["sst2_train"], "--validation", files["sst2_dev"],
                  "--model", "minilm-l6", "--task", "classification", "data.max_rows=2000",
                  "train.batch_size=16", "train.max_length=128", "train.learning_rate=5e-5",
                  *COMMON]),
        "instruction": dict(
            label="instruction: SmolLM2-135M, alpaca, batch 4, max_length 256, LoRA",
            args=["--data", files["instr_train"], "--validation", files["instr_eval"],
                  "--model", "smollm2-135m", "--task", "chat", "train.batch_size=4",
                  "train.max_length=256", "train.learning_rate=2e-4", "method.method=lora",
                  "method.lora_r=8", "method.lora_alpha=16", "method.lora_dropout=0.05",
                  "method.lora_targets=all-linear", *COMMON]),
        "seq2seq": dict(
            label="seq2seq: tiny-t5, reversal pairs, batch 16, max_length 256, full",
            args=["--data", files["s2s_train"], "--validation", files["s2s_eval"],
                  "--model", "tiny-t5", "--task", "text2text", "train.batch_size=16",
                  "train.max_length=256", "train.learning_rate=1e-3", *COMMON]),
        # The page's form for the shipped chat sample: batch 16, max_length 512 (the preset's),
        # full fine-tuning; no evaluation before training and no generated samples, to keep
        # a 16 x 512 step on a shared CPU affordable (the final evaluation stays).
        "smollm2_full": dict(
            label="SmolLM2-135M chat, shipped sample, batch 16, max_length 512, full",
            args=["--data", str(ROOT / "assets" / "samples" / "assistant_chat.json"),
                  "--model", "smollm2-135m", "--task", "chat", "train.batch_size=16",
                  "method.method=full", "train.eval_before=false",
                  "train.generation_samples=0", "train.save_checkpoints=false"]),
        # What the planner picks for that job on a 3.4 GB machine (README "Memory").
        "smollm2_micro": dict(
            label="the same, as the planner fits it into 3.4 GB: batch 4 x 4 accumulation",
            args=["--data", str(ROOT / "assets" / "samples" / "assistant_chat.json"),
                  "--model", "smollm2-135m", "--task", "chat", "train.batch_size=4",
                  "train.grad_accum=4", "method.method=full", "train.eval_before=false",
                  "train.generation_samples=0", "train.save_checkpoints=false"]),
    }


def bench_files(work: Path) -> dict:
    from run import prepare_data  # bench/run.py writes the same splits its jobs read
    return {k: str(v) for k, v in prepare_data(work, quick=False).items()}


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def stages(ws: Path) -> list[tuple[float, str]]:
    out = []
    for path in ws.glob("runs/*/events.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            e = json.loads(line)
            name = e.get("stage") or e.get("phase") or ""
            out.append((e["time"], f"{e['type']}:{name}" if name else e["type"]))
    return sorted(out)


# `python -c HWM_WRAPPER FILE ARGS...` runs `python -m studio ARGS...` and writes the process's
# peak RSS (VmHWM, kB: this process's own, reset by exec) to FILE when it exits.
HWM_WRAPPER = (
    "import atexit, runpy, sys\n"
    "out = sys.argv.pop(1)\n"
    "def report():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM'):\n"
    "            open(out, 'w').write(line.split()[1])\n"
    "atexit.register(report)\n"
    "sys.argv[0] = 'studio'\n"
    "runpy.run_module('studio', run_name='__main__', alter_sys=True)\n")


def measure_one(args: list[str], steps: int = STEPS) -> dict:
    """Peak RSS (MB) of one training child, and the largest RSS seen in each stage."""
    with tempfile.TemporaryDirectory() as ws:
        env = {**os.environ, "STUDIO_MEMORY_BUDGET_MB": "10000000", "HF_HUB_OFFLINE": "1"}
        hwm = Path(ws) / "vmhwm.txt"
        # The child writes its own VmHWM at exit: ru_maxrss would not do, because Linux carries
        # the forking parent's high-water mark over fork and exec (under pytest, that is
        # pytest's whole RSS, gigabytes late in a run).
        cmd = [sys.executable, "-c", HWM_WRAPPER, str(hwm), "train", *args,
               f"train.max_steps={steps}", "--workspace", ws]
        start = time.time()
        log = open(Path(ws) / "stderr.txt", "wb")
        child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=log)
        samples, status = [], None
        while status is None:
            samples.append((time.time(), rss_kb(child.pid)))
            pid, code, _ = os.wait4(child.pid, os.WNOHANG)
            if pid:
                status = code
            else:
                time.sleep(0.05)
        child.returncode = os.waitstatus_to_exitcode(status)
        peak_kb = max([kb for _, kb in samples] + [int(hwm.read_text() or 0)
                                                   if hwm.exists() else 0])
        log.close()
        err = (Path(ws) / "stderr.txt").read_text(errors="replace")[-600:]
        marks = stages(Path(ws))
        by_stage: dict[str, int] = {}
        for t, kb in samples:
            current = "startup"
            for when, name in marks:
                if when <= t:
                    current = name
            by_stage[current] = max(by_stage.get(current, 0), kb)
    return {"peak_mb": round(peak_kb / 1024, 1), "rc": child.returncode,
            "seconds": round(time.time() - start, 1),
            "by_stage_mb": {k: round(v / 1024, 1) for k, v in by_stage.items()},
            "stderr_tail": err if child.returncode else ""}


def measure_baseline() -> float:
    """RSS (MB) of a process that has imported what a training child imports: the constant."""
    code = ("import torch, transformers, datasets, studio.training, studio.tasks.causal_lm, "
            "studio.tasks.classification, studio.tasks.seq2seq, peft\n"
            "print(next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))"
            ".split()[1])")  # not ru_maxrss: that carries the parent's peak over fork
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return round(int(out.stdout.split()[-1]) / 1024, 1)


def predict(args: list[str]) -> dict:
    """The planner's estimate for the job the CLI would build from `args`."""
    from studio import cli, jobargs
    from studio.jobs import memory, resolve
    parsed = cli.build_parser().parse_args(["train", *args, "train.max_steps=3"])
    cfg = jobargs.job_from_args(parsed)
    os.environ["STUDIO_MEMORY_BUDGET_MB"] = "10000000"
    resolved = resolve(cfg)
    est = memory.estimate(resolved[0], resolved[1], resolved[2], resolved[4])
    return {"predicted_mb": round(est.total / 2**20, 1), "parts_mb": {
        k: round(v / 2**20, 1) for k, v in est.parts.items()}}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--jobs", default="classification,instruction,seq2seq,smollm2_full,"
                    "smollm2_micro")
    ap.add_argument("--steps", type=int, default=STEPS)
    opts = ap.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    with tempfile.TemporaryDirectory() as work:
        table = jobs(bench_files(Path(work)))
        if opts.measure:
            results["baseline_mb"] = measure_baseline()
            print("import baseline", results["baseline_mb"], "MB", flush=True)
            for name in opts.jobs.split(","):
                results.setdefault("jobs", {})[name] = {
                    "label": table[name]["label"], "args": table[name]["args"],
                    **measure_one(table[name]["args"], opts.steps)}
                print(name, json.dumps(results["jobs"][name]), flush=True)
                RESULTS.write_text(json.dumps(results, indent=1))
        print("| job | predicted | measured | error |\n|---|---|---|---|")
        for name in opts.jobs.split(","):
            got = results.get("jobs", {}).get(name)
            if not got:
                continue
            p = predict(table[name]["args"])
            err = (p["predicted_mb"] - got["peak_mb"]) / got["peak_mb"] * 100
            print(f"| {got['label']} | {p['predicted_mb'] / 1024:.2f} GB | "
                  f"{got['peak_mb'] / 1024:.2f} GB | {err:+.0f}% |", flush=True)
            print("    parts:", p["parts_mb"], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
