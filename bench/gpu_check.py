"""GPU readiness in one call: the studio against the expert/TRL peers on a CUDA machine.

    python bench/gpu_check.py            # on a CUDA machine, under 8 minutes, nothing downloaded
    python bench/gpu_check.py --dry-run  # anywhere: every job builds, nothing trains

Runs the MiniLM classification job and the SmolLM2 LoRA job of bench/run.py (its job builders,
data and peers: hf_trainer_expert.py, trl_sft.py --bf16) once each, and prints per contender:
training samples/s, the allocator's peak GPU memory (torch.cuda.max_memory_allocated of that
child) against the studio planner's prediction, the precision the studio chose (bf16/fp16),
and whether it packed the batches and used the chunked causal-LM loss. With two GPUs visible,
a `train.devices=2` run (two processes under torchrun) follows.

`--dry-run` checks that every job can be built here: the commands and their configs resolve,
the data files load, the models are found offline and the planner predicts a peak; it trains
nothing (CI runs it).
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
sys.path[:0] = [str(BENCH), str(ROOT)]
import run as bench  # noqa: E402 - bench/run.py: the jobs, data and command builders

CHECKS = (("classification", "hf_expert"), ("instruction", "trl_bf16"))
BUDGET_SECONDS = 8 * 60
# Runs the child's module or script in this interpreter and prints the allocator's peak GPU
# memory at exit: the same measure for the studio and the peers.
PEAK_WRAPPER = r"""
import atexit, json, runpy, sys
def _peak():
    try:
        import torch
        if torch.cuda.is_available():
            print(json.dumps({"gpu_peak_bytes": torch.cuda.max_memory_allocated()}), flush=True)
    except Exception:
        pass
atexit.register(_peak)
target, sys.argv = sys.argv[1], sys.argv[1:]
if target == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    runpy.run_path(target, run_name="__main__")
"""


def studio_job(argv: list[str]):
    """The JobConfig a studio command describes, read the way `python -m studio train` reads it."""
    from studio.cli import build_parser
    from studio.jobargs import job_from_args
    return job_from_args(build_parser().parse_args(argv[3:]))  # after PY -m studio


def predicted_peak(cfg) -> tuple[int | None, str]:
    """(the planner's peak bytes for the job, the device it planned for)."""
    from studio import jobs
    plan = jobs.plan_memory(cfg, budget_bytes=1 << 60)
    return int(plan.estimate.total), plan.device


def wrapped(argv: list[str]) -> list[str]:
    return [argv[0], "-c", PEAK_WRAPPER, *argv[1:]]


def loss_and_packing(result: dict) -> tuple[str, str]:
    """(packing, chunked loss) of a studio run, from its resolved job and start event."""
    run_dir = Path(result.get("run_dir") or "")
    try:
        from studio.config import JobConfig
        from studio.tasks import lm_loss
        cfg = JobConfig.from_yaml(run_dir / "job.yaml")
        start = next(e for e in map(json.loads, (run_dir / "events.jsonl").read_text()
                                    .splitlines()) if e.get("type") == "start")
    except (OSError, StopIteration, ValueError, ImportError):
        return "?", "?"
    chunked = (start.get("family") == "gpt" and cfg.task == "chat" and lm_loss.CHUNKED
               and (start.get("world_size") or 1) == 1)
    return ("yes" if cfg.train.packing else "no"), ("yes" if chunked else "no")


def dry_run(work: Path) -> int:
    files = bench.prepare_data(work, quick=True)
    problems = []
    for name, peer in CHECKS:
        job = bench.JOBS[name]
        argv = bench.studio_command(name, job, files, work / "ws", quick=True)
        try:
            from studio import jobs
            cfg = studio_job(argv)
            jobs.precheck(cfg)
            peak, device = predicted_peak(cfg)
            peer_argv = bench.peer_command(peer, job, files, work / "out", quick=True)
            script = Path(peer_argv[1])
            if not script.exists():
                raise FileNotFoundError(f"peer script {script}")
            two = cfg.copy()
            two.train.devices = 2
            two.validate()
            print(f"{name}: ok  model {cfg.model.name} ({bench.model_dir(job['model'])}), "
                  f"planner peak {peak / 2**30:.2f} GiB on {device}; peer {peer}: "
                  f"{script.name}; train.devices=2 valid", flush=True)
        except Exception as e:  # noqa: BLE001 - report every job, then fail
            problems.append(f"{name}: {type(e).__name__}: {e}")
            print(f"{name}: FAILED {problems[-1]}", flush=True)
    print("dry run: " + ("every job builds" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


def contender(name: str, who: str, argv: list[str], work: Path, timeout: float) -> dict:
    cwd = work / f"{name}-{who}"
    cwd.mkdir(parents=True, exist_ok=True)
    res = bench.run_child(wrapped(argv), ROOT if who.startswith("studio") else cwd,
                          cwd / "output.log", timeout)
    lines = [json.loads(x) for x in (cwd / "output.log").read_text(errors="replace")
             .splitlines() if x.startswith("{") and x.endswith("}")]
    peak = next((x["gpu_peak_bytes"] for x in reversed(lines) if "gpu_peak_bytes" in x), None)
    if who.startswith("studio"):
        ws = Path(argv[argv.index("--workspace") + 1])
        res.update(bench.studio_result(ws, res["t0"], bench.JOBS[name]))
    else:  # the peer's own report line (samples/s, quality)
        res.update(next((x for x in reversed(lines) if "gpu_peak_bytes" not in x), {}))
    res["gpu_peak_bytes"] = peak
    return res


def gib(n) -> str:
    return "-" if n is None else f"{n / 2**30:.2f} GiB"


def gpu_run(work: Path, timeout: float) -> int:
    import torch
    if not torch.cuda.is_available():
        print("No CUDA device is visible: run this on a GPU machine, or use --dry-run.")
        return 2
    t_start = time.time()
    files = bench.prepare_data(work, quick=False)
    print(f"GPU: {torch.cuda.get_device_name(0)} x {torch.cuda.device_count()}", flush=True)
    failed = 0
    for name, peer in CHECKS:
        job = bench.JOBS[name]
        argv = bench.studio_command(name, job, files, work / f"{name}-studio" / "ws", False)
        peak, device = predicted_peak(studio_job(argv))
        studio = contender(name, "studio", argv, work, timeout)
        other = contender(name, peer, bench.peer_command(peer, job, files, work / f"{name}-out",
                                                        False), work, timeout)
        packing, chunked = loss_and_packing(studio)
        for who, res in (("studio", studio), (peer, other)):
            failed += res["exit_code"] != 0
            print(f"{name:15s} {who:12s} exit {res['exit_code']}  "
                  f"{res.get('train_samples_per_second')} samples/s  "
                  f"peak {gib(res.get('gpu_peak_bytes'))}"
                  + (f" (planner {gib(peak)} on {device})  precision "
                     f"{res.get('precision')}  packing {packing}  chunked loss {chunked}"
                     if who == "studio" else "")
                  + f"  quality {bench.fmt(res.get('quality'))}", flush=True)
    if torch.cuda.device_count() >= 2:
        job = bench.JOBS["classification"]
        argv = bench.studio_command("classification", job, files,
                                    work / "devices2-studio" / "ws", False) + ["train.devices=2"]
        res = contender("classification", "studio-devices2", argv, work, timeout)
        failed += res["exit_code"] != 0
        print(f"classification  devices=2     exit {res['exit_code']}  "
              f"{res.get('train_samples_per_second')} samples/s (2 processes)", flush=True)
    else:
        print("One GPU visible: the train.devices=2 run is skipped.")
    spent = time.time() - t_start
    print(f"done in {spent / 60:.1f} min" + ("" if spent <= BUDGET_SECONDS else
                                             " (over the 8-minute budget)"))
    return 1 if failed else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dry-run", action="store_true",
                   help="Build every job (configs, data, planner) without training.")
    p.add_argument("--work", default="", help="Scratch folder (default: a new temp folder).")
    p.add_argument("--timeout", type=float, default=200, help="Seconds per child.")
    args = p.parse_args(argv)
    for key in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
        os.environ[key] = "1"  # nothing is downloaded
    work = Path(args.work or tempfile.mkdtemp(prefix="gpu-check-"))
    work.mkdir(parents=True, exist_ok=True)
    return dry_run(work) if args.dry_run else gpu_run(work, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
