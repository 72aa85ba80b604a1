"""Where a training step's time goes: torch.profiler over steady steps of the studio's own
Trainer, on a benchmark job (the same data, model and settings run.py gives the studio).

    python bench/profile_step.py classification            # 60 steps after 20 warm-up steps
    python bench/profile_step.py instruction --warmup 3 --steps 5
    python bench/profile_step.py classification --no-profile train.packing=false
    python bench/profile_step.py classification --row-tokens 32   # packed row width

Prints ms per step over the measured steps and, unless --no-profile, the ops by self CPU time
(the table behind the profiles in README "Speed" and bench/README.md). Runs in this process,
so the warm-up steps absorb oneDNN's kernel creation for new shapes.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the benchmark's jobs, data and studio command)

sys.path.insert(0, str(bench.ROOT))


def job_args(name: str, work: Path) -> tuple[argparse.Namespace, list[str]]:
    """The flags and key=value overrides run.py gives `python -m studio train` for this job."""
    argv = bench.studio_command(name, bench.JOBS[name], bench.prepare_data(work, quick=False),
                                work / "workspace", quick=False)[4:]  # after "-m studio train"
    flags = {"--data": None, "--validation": None, "--model": None, "--task": None}
    overrides, i = [], 0
    while i < len(argv):
        if argv[i] in flags:
            flags[argv[i]] = argv[i + 1]
            i += 2
        elif argv[i] == "--workspace":
            i += 2
        else:
            overrides.append(argv[i])
            i += 1
    return argparse.Namespace(data=flags["--data"], validation=flags["--validation"],
                              model=flags["--model"], task=flags["--task"], name=None,
                              job=None), overrides


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("job", choices=["classification", "instruction", "seq2seq"])
    p.add_argument("overrides", nargs="*", help="Extra key=value job settings.")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--row-tokens", type=int, default=None,
                   help="Packed row width for BERT classification (default: the studio's).")
    p.add_argument("--rows", type=int, default=30)
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import TrainerCallback

    from studio import jobs
    from studio.callbacks import StopFlag
    from studio.config import JobConfig
    from studio.events import EventWriter
    from studio.jobargs import fill_job
    from studio.runs import RunFolder
    from studio.training import build_datasets, make_trainer, quiet_libraries

    work = Path(tempfile.mkdtemp(prefix="profile-step-"))
    args, overrides = job_args(a.job, work)
    cfg = fill_job(JobConfig(), args, overrides + a.overrides)
    folder = RunFolder(work / "run")
    folder.path.mkdir(parents=True)
    writer = EventWriter(folder.events_file)
    quiet_libraries()
    plan = jobs.prepare(cfg)
    train_ds, val_ds = build_datasets(plan, writer)
    trainer, callback = make_trainer(plan, folder, train_ds, val_ds, writer,
                                     StopFlag(folder.stop_file))
    if a.row_tokens is not None and getattr(trainer, "packed_collator", None) is not None:
        trainer.packed_collator.row_tokens = a.row_tokens

    class Measure(TrainerCallback):
        def __init__(self):
            self.step, self.started, self.prof = 0, None, None

        def on_step_begin(self, args, state, control, **kw):
            self.step += 1
            if self.step == a.warmup + 1:
                self.started = time.perf_counter()
                if not a.no_profile:
                    self.prof = torch.profiler.profile(
                        activities=[torch.profiler.ProfilerActivity.CPU])
                    self.prof.__enter__()
            elif self.step == a.warmup + a.steps + 1:
                took = time.perf_counter() - self.started
                print(f"{a.job}: {a.steps} steps in {took:.2f} s = "
                      f"{took / a.steps * 1000:.1f} ms/step", flush=True)
                if self.prof:
                    self.prof.__exit__(None, None, None)
                    print(self.prof.key_averages().table(sort_by="self_cpu_time_total",
                                                         row_limit=a.rows))
                control.should_training_stop = True

    measure = Measure()
    trainer.add_callback(measure)
    callback.started()
    trainer.train()
    if measure.started is None or measure.step <= a.warmup + a.steps:
        print(f"The job has fewer than {a.warmup + a.steps} steps; lower --warmup or --steps.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
