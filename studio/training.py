"""Run one job with transformers' Trainer, writing events, the log, metrics and the model.

`run_job(run_dir)` is what `python -m studio train` calls in its own process (the page launches
that same command), so a crash or an out-of-memory error ends this process, never the app.
Under torchrun / accelerate launch every rank trains; only rank 0 writes events and the registry.
"""
from __future__ import annotations

import logging
import sqlite3
import os
import shutil
import math
import time
import traceback
from pathlib import Path

from . import jobs
from .advisor.live_check import DivergenceCheck
from .advisor.report import record as record_findings
from .callbacks import EventCallback, StopCallback, StopFlag
from .config import JobConfig
from .distributed import is_main, rank, world_size
from .errors import ConfigError, StudioError
from . import eval_progress
from .events import EventWriter
from .quiet import quiet_libraries
from .models import first_line
from .runs import Registry, RunFolder

log = logging.getLogger(__name__)


def setup_logging(folder: RunFolder) -> logging.Handler:
    path = folder.log_file if is_main() else folder.path / f"train.rank{rank()}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def friendly_reason(e: BaseException, folder: "RunFolder | None" = None
                    ) -> tuple[str, str, dict]:
    """One sentence for the user, a stable code and its params; the traceback goes to
    train.log."""
    if isinstance(e, StudioError):
        return str(e), e.code, dict(e.params)
    text = str(e)
    from .disk import is_disk_full
    if is_disk_full(e):
        free = shutil.disk_usage(folder.path).free // 2**20 if folder else None
        where = str(folder.path.parent.parent) if folder else "the workspace"
        return (f"The disk is full ({free} MB free in {where}); free space or set a workspace on "
                f"another disk, then resume the run.", "disk_full",
                {"free_mb": free, "workspace": where})
    if isinstance(e, MemoryError) or "out of memory" in text.lower():
        return ("Training ran out of memory; lower train.batch_size or train.max_length, or use "
                "LoRA.", "out_of_memory", {})
    return (f"Training failed: {first_line(e)[:300]} (details in train.log).", "error",
            {"detail": first_line(e)[:300]})


def run_job(run_dir: str | Path, registry: Registry | None = None, resume: bool = False) -> int:
    """Train the job in `run_dir/job.yaml`; returns the process exit code."""
    folder = RunFolder(run_dir)
    main = is_main()
    if main:
        folder.acquire()  # one writer per run folder: a second trainer is refused here
    handler = setup_logging(folder)
    writer = EventWriter(folder.events_file, enabled=main)
    if resume and main:
        folder.clear_stop()  # the marker of the stop that ended the last attempt
        from .resuming import mark_resumed  # the queue wrote it already; the CLI writes it here
        last = jobs.last_checkpoint(folder.path)
        mark_resumed(folder, int(last.name.rsplit("-", 1)[-1]) if last else None)
    stop = StopFlag(folder.stop_file)
    previous_handlers = stop.install()
    report = Report(registry if main else None, folder.id)
    # A cluster's child is followed by its backend: its pid means nothing on the studio's machine.
    report.status(status="running", started=time.time(), reason="",
                  pid=None if os.environ.get("STUDIO_CLUSTER_RUN") else os.getpid())
    try:
        cfg = JobConfig.from_yaml(folder.job_file)
        result = train(cfg, folder, writer, stop, resume=resume, report=report)
        return 0 if result in ("done", "stopped") else 1
    except KeyboardInterrupt:
        writer.emit("stopped", step=None, model_path=None,
                    reason="Stopped immediately; the model was not saved.")
        report.finish("stopped", reason="Stopped immediately.")
        return 130
    except BaseException as e:  # noqa: BLE001 - every failure must end as a 'failed' event
        reason, code, params = friendly_reason(e, folder)
        if code == "disk_full" and main:  # resume must find the last complete checkpoint
            folder.drop_partial_checkpoints()
        # The traceback goes to the run's log file only; the user gets the one sentence.
        # Each record is best effort: on a full disk any of these writes may fail too.
        for record in (lambda: handler.stream.write(
                           f"Run failed: {reason}\n{traceback.format_exc()}\n"),
                       handler.flush,
                       lambda: writer.emit("failed", reason=reason, code=code, params=params,
                                           log=str(folder.log_file)),
                       lambda: report.finish("failed", reason=reason)):
            try:
                record()
            except (OSError, sqlite3.Error):
                pass
        return 1
    finally:
        if main:
            folder.release()
        stop.uninstall(previous_handlers)
        logging.getLogger().removeHandler(handler)
        handler.close()


class Report:
    """The registry entry of this run, written by rank 0 only (None: nothing to write)."""

    def __init__(self, registry: Registry | None, run_id: str):
        self.registry, self.run_id = registry, run_id

    def status(self, **fields) -> None:
        if self.registry:
            self.registry.update(self.run_id, **fields)

    def finish(self, status: str, **fields) -> None:
        self.status(status=status, finished=time.time(), **fields)


def train(cfg: JobConfig, folder: RunFolder, writer: EventWriter, stop: StopFlag,
          resume: bool = False, report: Report | None = None) -> str:
    """The story of one run: plan, record, tokenize, evaluate the base model, train, evaluate
    the result, save. Returns the final event's type."""
    report = report or Report(None, folder.id)
    t0 = time.time()
    quiet_libraries()
    plan = jobs.prepare(cfg, log_note=lambda **n: writer.emit("message", **n))
    record_resolved_job(plan, folder, report)
    writer.emit("stage", stage="tokenizing")  # data read, model loaded; stages: events.py
    train_ds, val_ds = build_datasets(plan, writer)
    trainer, callback = make_trainer(plan, folder, train_ds, val_ds, writer, stop)
    progress = eval_progress.attach(trainer, writer, val_ds)  # rows counted while evaluating
    announce_start(plan, folder, writer, train_ds, val_ds, callback.total)

    checkpoint = jobs.last_checkpoint(folder.path) if resume else None
    if checkpoint is not None:
        writer.emit("message", level="info", code="resumed", step=int(
            checkpoint.name.rsplit("-", 1)[-1]), text=f"Resumed from step "
            f"{checkpoint.name.rsplit('-', 1)[-1]}.")
    if resume and checkpoint is None:
        writer.emit("message", level="warning", code="no_checkpoint",
                    text="No checkpoint found; training starts from the beginning.")
    before = {}
    if val_ds is not None and plan.cfg.train.eval_before and checkpoint is None:
        writer.emit("stage", stage="evaluating")
        with progress.phase("before", trainer.model, eval_progress.generated_rows(plan)):
            before = evaluate(trainer, plan, val_ds, folder, phase="before")
        writer.emit("eval", phase="before", step=0, epoch=0.0, metrics=scalars(before))

    writer.emit("stage", stage="training")
    callback.started()
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    step = trainer.state.global_step
    if stop.requested:
        return finish_stopped(trainer, plan, folder, writer, report, step)

    after = {}
    if val_ds is not None:
        writer.emit("stage", stage="final_eval")
        with progress.phase("after", trainer.model, eval_progress.generated_rows(plan)):
            after = evaluate(trainer, plan, val_ds, folder, phase="after")
        writer.emit("eval", phase="after", step=step, epoch=trainer.state.epoch,
                    metrics=scalars(after))
    writer.emit("stage", stage="saving")
    jobs.save_model(trainer, plan, folder.model_dir)
    return finish_done(plan, folder, writer, report, callback, before, after, step, t0)


def record_resolved_job(plan, folder: RunFolder, report: Report) -> None:
    """job.yaml becomes exactly what runs: every default, the roles and the data fingerprint."""
    import torch
    cfg = plan.cfg
    if is_main():
        cfg.to_yaml(folder.job_file)
        report.status(task=cfg.task, family=plan.family, method=cfg.method.method,
                      config=cfg.to_yaml())
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)


def build_datasets(plan, writer: EventWriter):
    """Tokenized train and validation sets (validation None when there is none)."""
    mod, tokenizer, cfg, labels = plan.task_module, plan.tokenizer, plan.cfg, plan.data.labels
    train_ds, notes = mod.build_dataset(plan.data.train, tokenizer, cfg, labels)
    val_ds = (mod.build_dataset(plan.data.validation, tokenizer, cfg, labels)[0]
              if len(plan.data.validation) else None)
    for n in notes:
        writer.emit("message", level="warning", **n)
    if len(train_ds) == 0:
        raise ConfigError(code="no_examples")
    return train_ds, val_ds


def make_trainer(plan, folder: RunFolder, train_ds, val_ds, writer, stop):
    from transformers import Trainer
    from transformers.trainer_callback import PrinterCallback
    cfg, mod = plan.cfg, plan.task_module
    args = jobs.training_arguments(cfg, folder.path, len(train_ds), has_eval=val_ds is not None)
    callback = EventCallback(writer, cfg, jobs.total_steps(cfg, len(train_ds), world_size()))
    trainer_cls = mod.make_trainer_class(Trainer) if hasattr(mod, "make_trainer_class") \
        else Trainer
    trainer = trainer_cls(model=plan.model, args=args, train_dataset=train_ds,
                          eval_dataset=val_ds,
                          data_collator=mod.make_collator(plan.tokenizer, plan.model),
                          compute_metrics=mod.compute_metrics(plan.data.labels),
                          callbacks=[callback, StopCallback(stop), DivergenceCheck(writer, cfg),
                                     *jobs.extra_callbacks(cfg)])
    if hasattr(mod, "packed_collator"):
        trainer.packed_collator = mod.packed_collator(cfg, plan.tokenizer)
    trainer.remove_callback(PrinterCallback)  # our events are the log; no raw dicts on stdout
    return trainer, callback


def announce_start(plan, folder: RunFolder, writer, train_ds, val_ds, total_steps: int) -> None:
    cfg = plan.cfg
    writer.emit("start", run_id=folder.id, config_digest=cfg.digest(), task=cfg.task,
                model=cfg.model.name, family=plan.family, method=cfg.method.method,
                parameters=plan.parameters, trainable=plan.trainable,
                train_rows=len(train_ds), validation_rows=len(val_ds) if val_ds else 0,
                total_steps=total_steps, epochs=cfg.train.epochs,
                batch_size=cfg.train.batch_size, labels=plan.data.labels,
                precision=jobs.precision(cfg), world_size=world_size())


def finish_stopped(trainer, plan, folder, writer, report, step) -> str:
    reason = "Stopped on request; the model trained so far was saved."
    jobs.save_model(trainer, plan, folder.model_dir)
    writer.emit("stopped", step=step, model_path=str(folder.model_dir), reason=reason)
    report.finish("stopped", reason=reason)
    return "stopped"


def finish_done(plan, folder, writer, report, callback, before, after, step, t0) -> str:
    final = {"before": before, "after": after,
             "train_loss": callback.last_loss, "train_seconds": round(callback.train_time(), 2),
             "train_samples_per_second": callback.samples_per_second(), "steps": step}
    if is_main():
        folder.write_metrics(final)
        record_findings(folder, writer)  # the advisor reads the finished run's own files
    summary = {**{f"before_{k}": v for k, v in scalars(before).items()}, **scalars(after),
               "train_loss": callback.last_loss, "steps": step}
    writer.emit("done", metrics=summary, model_path=str(folder.model_dir),
                elapsed=round(time.time() - t0, 2))
    report.finish("done", metrics=summary)
    return "done"


def evaluate(trainer, plan, val_ds, folder: RunFolder, phase: str) -> dict:
    """Eval loss (+ perplexity) or the classification report, plus generated-text metrics;
    per-row outputs go to the run folder."""
    mod, cfg = plan.task_module, plan.cfg
    started = time.perf_counter()
    if cfg.task == "classification":
        metrics, rows = mod.detailed_eval(trainer, val_ds, plan.data.validation, plan.data.labels)
        metrics["timing"] = timing(started, len(rows))
        if is_main():
            folder.write_outputs("predictions", phase, rows)
        return metrics
    out = trainer.evaluate()
    metrics = {"eval_loss": out.get("eval_loss")}
    if metrics["eval_loss"] is not None:
        metrics["perplexity"] = math.exp(min(metrics["eval_loss"], 50))
    gen = {}
    if is_main():
        started = time.perf_counter()
        with jobs.autocast(cfg):  # generation in bf16 too: ~1.4x faster on this kind of CPU
            gen = mod.generate_eval(trainer.model, plan.tokenizer, plan.data.validation, cfg)
        gen["timing"] = timing(started, len(gen.get("samples") or []))
    samples = gen.pop("samples", [])
    if is_main() and samples:
        folder.write_outputs("samples", phase, samples)
    return {**metrics, **gen}


def timing(started: float, examples: int) -> dict:
    """Wall time of an evaluation pass per example (batched as evaluated; generation: per
    generated sample), for the leaderboard's latency. A dict, so scalars() leaves it out of
    the eval events and their charts."""
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "examples": examples,
            "latency_ms": round(seconds * 1000 / examples, 3) if examples else None}


def scalars(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
