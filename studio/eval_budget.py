"""What evaluation costs, the default number of generated samples on a CPU, and how long a job
will take before it starts, from this workspace's own finished runs.

The CPU rule (train.generation_samples left empty):
  with an accelerator: DEFAULT_SAMPLES (8);
  on a CPU: the largest n in [CPU_FLOOR, DEFAULT_SAMPLES] whose generation passes (before and
  after training) cost at most SHARE (15%) of the training itself, a generated sample counted
  as SAMPLE_ROWS training rows:  n = clamp(floor(SHARE x rows trained / (passes x SAMPLE_ROWS))).
Generation is the slow part of an evaluation on a CPU (up to 128 tokens one at a time, and a base
model rarely stops early): a SmolLM2 chat run on 72 rows spent 16.6 + 8 minutes in its two
evaluations on a busy machine. SAMPLE_ROWS is that run's order of magnitude; once the
workspace has a finished run of the model, `estimate_seconds` uses its measured times instead.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

log = logging.getLogger(__name__)

DEFAULT_SAMPLES = 8
CPU_FLOOR = 4        # fewer samples make BLEU/ROUGE too noisy to compare runs by
SHARE = 0.15         # evaluation's share of the training time, at most, on a CPU
SAMPLE_ROWS = 8      # one generated sample costs about this many training rows on a CPU
EVAL_ROW_SHARE = 1 / 3  # the loss pass: a forward without backward, ~1/3 of a training row


def on_cpu() -> bool:
    try:
        import torch
        return not (torch.cuda.is_available() or torch.backends.mps.is_available())
    except Exception:  # noqa: BLE001 - no torch: nothing but the CPU
        return True


def rows_trained(cfg, train_rows: int) -> int:
    from .jobs.trainer_args import total_steps
    t = cfg.train
    return total_steps(cfg, train_rows, t.devices) * t.batch_size * t.grad_accum * t.devices


def passes(cfg) -> int:
    """The before and after evaluations that generate samples (during-training ones do not)."""
    return 1 + bool(cfg.train.eval_before)


def cpu_generation_samples(rows: int, n_passes: int, cpu: bool) -> int:
    """The CPU rule above, a pure function of rows trained, evaluation passes and the device."""
    if not cpu:
        return DEFAULT_SAMPLES
    fits = math.floor(SHARE * rows / (max(1, n_passes) * SAMPLE_ROWS))
    return max(CPU_FLOOR, min(DEFAULT_SAMPLES, fits))


def default_generation_samples(cfg, train_rows: int, cpu: bool | None = None) -> tuple[int, str]:
    """(train.generation_samples, the sentence saying why it is below the usual 8, or "").
    A value the user set is kept; classification generates nothing and keeps the usual 8."""
    if cfg.train.generation_samples is not None:
        return cfg.train.generation_samples, ""
    if cfg.task == "classification":
        return DEFAULT_SAMPLES, ""
    cpu = on_cpu() if cpu is None else cpu
    n = cpu_generation_samples(rows_trained(cfg, train_rows), passes(cfg), cpu)
    note = shrink_note(cfg, n)
    if note:
        log.info(note)
    return n, note


def shrink_note(cfg, samples: int | None = None) -> str:
    """The one sentence said when the CPU rule chose fewer samples than the usual 8."""
    n = cfg.train.generation_samples if samples is None else samples
    if cfg.task == "classification" or n is None or n >= DEFAULT_SAMPLES:
        return ""
    return (f"On a CPU this short run generates {n} validation samples instead of "
            f"{DEFAULT_SAMPLES}, so evaluation stays a small share of the run; set "
            f"train.generation_samples to choose.")


@dataclass
class Speed:
    """What a finished run of the same model and method measured."""
    samples_per_second: float               # training rows per second
    sample_seconds: float | None = None     # one generated sample (generation tasks)
    eval_row_seconds: float | None = None   # one row of a classification evaluation
    run_id: str = ""


def speed_from_metrics(metrics: dict, run_id: str = "") -> Speed | None:
    """A Speed from a run's metrics.json (train_samples_per_second, before/after timing)."""
    sps = metrics.get("train_samples_per_second")
    if not sps:
        return None
    timing = next((m.get("timing") for m in (metrics.get("after"), metrics.get("before"))
                   if isinstance(m, dict) and (m.get("timing") or {}).get("examples")), None)
    per = timing["seconds"] / timing["examples"] if timing else None
    generation = isinstance(metrics.get("after"), dict) and "accuracy" not in metrics["after"]
    return Speed(float(sps), per if generation else None, None if generation else per, run_id)


def past_speed(registry, model: str, method: str, owner=None) -> Speed | None:
    """The latest finished run of this model and method in the workspace (hosted: this owner's
    runs). Its speed is in the run folder's metrics.json: the registry's summary of a run
    does not carry it, which is why the page never had an estimate before Start."""
    for run in registry.list(200, **({"owner": owner} if owner is not None else {})):
        if run.status != "done" or run.model != model or run.method != method:
            continue
        try:
            metrics = registry.folder(run).metrics()
        except OSError:
            metrics = {}
        speed = speed_from_metrics({**(run.metrics or {}), **metrics}, run.id)
        if speed:
            return speed
    return None


def eval_work(cfg, train_rows: int, validation_rows: int) -> dict:
    """What the job's evaluations will do: passes over the validation rows (before, during,
    after), samples generated, and the total in training-row equivalents."""
    from .jobs.trainer_args import total_steps
    if not validation_rows:
        return {"passes": 0, "rows": 0, "generated": 0, "row_equivalents": 0.0,
                "share_of_training": 0.0}
    t = cfg.train
    during = 0
    if t.eval_strategy == "steps" and t.eval_steps:
        during = total_steps(cfg, train_rows, t.devices) // t.eval_steps
    elif t.eval_strategy == "epoch":
        during = max(1, math.ceil(t.epochs)) if t.max_steps <= 0 else 1
    n_passes = passes(cfg) + during
    generated = 0 if cfg.task == "classification" else \
        passes(cfg) * min(t.generation_samples or 0, validation_rows)
    rows = n_passes * validation_rows
    equivalents = rows * EVAL_ROW_SHARE + generated * SAMPLE_ROWS
    return {"passes": n_passes, "rows": rows, "generated": generated,
            "row_equivalents": round(equivalents, 1),
            # evaluation time / training time, at the assumed costs (estimate_seconds has
            # the measured ones once the workspace has a finished run of the model)
            "share_of_training": round(equivalents / max(1, rows_trained(cfg, train_rows)), 3)}


def estimate_seconds(cfg, train_rows: int, validation_rows: int,
                     speed: Speed | None) -> dict | None:
    """{training, evaluation, total} seconds for a resolved job, from a past run's Speed
    (past_speed); None without one. Evaluation counts the loss passes and generated samples
    at the past run's measured per-sample times where it has them."""
    if not speed or not speed.samples_per_second:
        return None
    sps = speed.samples_per_second
    training = rows_trained(cfg, train_rows) / sps
    work = eval_work(cfg, train_rows, validation_rows)
    if cfg.task == "classification":
        per_row = speed.eval_row_seconds or EVAL_ROW_SHARE / sps
        evaluation = work["rows"] * per_row
    else:
        per_sample = speed.sample_seconds or SAMPLE_ROWS / sps
        evaluation = work["rows"] * EVAL_ROW_SHARE / sps + work["generated"] * per_sample
    return {"training": round(training, 1), "evaluation": round(evaluation, 1),
            "total": round(training + evaluation, 1)}
