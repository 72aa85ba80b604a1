"""Run one job with transformers' Trainer, writing events, the log, metrics and the model.

`run_job(run_dir)` is what `python -m studio train` calls in its own process (the UI launches
that same command), so a crash or an out-of-memory error ends this process, never the app.
Under torchrun / accelerate launch every rank trains; only rank 0 writes events and the registry.
"""
from __future__ import annotations

import json
import logging
import math
import os
import signal
import time
import traceback
import warnings
from pathlib import Path

from . import jobs
from .config import ConfigError, JobConfig
from .events import EventWriter
from .models import ModelError, first_line
from .runs import Registry

log = logging.getLogger(__name__)


class StopFlag:
    """Set by a STOP file in the run folder or by SIGTERM/SIGINT; a second signal kills."""

    def __init__(self, run_dir: Path):
        self.file = run_dir / "STOP"
        self.signalled = False

    def install(self) -> dict:
        def handler(signum, frame):
            if self.signalled:
                raise KeyboardInterrupt  # second request: stop right now
            self.signalled = True
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[sig] = signal.signal(sig, handler)
            except ValueError:  # not the main thread (tests); the STOP file still works
                pass
        return previous

    @staticmethod
    def uninstall(previous: dict) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    @property
    def requested(self) -> bool:
        return self.signalled or self.file.exists()


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def setup_logging(run_dir: Path) -> logging.Handler:
    name = "train.log" if rank() == 0 else f"train.rank{rank()}.log"
    handler = logging.FileHandler(run_dir / name, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


def friendly_reason(e: BaseException) -> tuple[str, str]:
    """One sentence for the user and a stable code; the traceback goes to train.log."""
    if isinstance(e, (ConfigError, ModelError)) or type(e).__name__ == "DataError":
        return str(e), getattr(e, "code", "config")
    text = str(e)
    if isinstance(e, MemoryError) or "out of memory" in text.lower():
        return ("Training ran out of memory; lower train.batch_size or train.max_length, or use "
                "LoRA.", "out_of_memory")
    return (f"Training failed: {first_line(e)[:300]} (details in train.log).", "error")


def run_job(run_dir: str | Path, registry: Registry | None = None, resume: bool = False) -> int:
    """Train the job in `run_dir/job.yaml`; returns the process exit code."""
    run_dir = Path(run_dir)
    main = rank() == 0
    handler = setup_logging(run_dir)
    writer = EventWriter(run_dir / "events.jsonl", enabled=main)
    stop = StopFlag(run_dir)
    previous_handlers = stop.install()
    run_id = run_dir.name
    if main and registry:
        registry.update(run_id, status="running", started=time.time(), pid=os.getpid())
    try:
        cfg = JobConfig.from_yaml(run_dir / "job.yaml")
        result = train(cfg, run_dir, writer, stop, resume=resume, registry=registry)
        return 0 if result in ("done", "stopped") else 1
    except KeyboardInterrupt:
        writer.emit("stopped", step=None, model_path=None,
                    reason="Stopped immediately; the model was not saved.")
        _finish(registry, run_id, main, "stopped", reason="Stopped immediately.")
        return 130
    except BaseException as e:  # noqa: BLE001 - every failure must end as a 'failed' event
        reason, code = friendly_reason(e)
        # The traceback goes to the run's log file only; the user gets the one sentence.
        handler.stream.write(f"Run failed: {reason}\n{traceback.format_exc()}\n")
        handler.flush()
        writer.emit("failed", reason=reason, code=code, log=str(run_dir / "train.log"))
        _finish(registry, run_id, main, "failed", reason=reason)
        return 1
    finally:
        stop.uninstall(previous_handlers)
        logging.getLogger().removeHandler(handler)
        handler.close()


def _finish(registry, run_id, main, status, **fields) -> None:
    if main and registry:
        registry.update(run_id, status=status, finished=time.time(), **fields)


def train(cfg: JobConfig, run_dir: Path, writer: EventWriter, stop: StopFlag,
          resume: bool = False, registry: Registry | None = None) -> str:
    import torch
    from transformers import Trainer
    from transformers.trainer_callback import PrinterCallback
    from transformers.utils import logging as hf_logging
    from .callbacks import EventCallback, StopCallback

    t0 = time.time()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()  # load reports and warnings go nowhere useful for users
    warnings.filterwarnings("ignore", category=UserWarning)
    plan = jobs.prepare(cfg, log_note=lambda **n: writer.emit("message", **n))
    cfg = plan.cfg
    if rank() == 0:
        cfg.to_yaml(run_dir / "job.yaml")  # the resolved job: exactly what ran
        if registry:
            registry.update(run_dir.name, task=cfg.task, family=plan.family,
                            method=cfg.method.method, config=cfg.to_yaml())
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    mod, tokenizer, model = plan.task_module, plan.tokenizer, plan.model

    train_ds, notes = mod.build_dataset(plan.data.train, tokenizer, cfg, plan.data.labels)
    val_ds, _ = (mod.build_dataset(plan.data.validation, tokenizer, cfg, plan.data.labels)
                 if len(plan.data.validation) else (None, []))
    for n in notes:
        writer.emit("message", level="warning", **n)
    if len(train_ds) == 0:
        raise ConfigError("No training example is left after tokenization; raise "
                          "train.max_length or check the data.")

    args = jobs.training_arguments(cfg, run_dir, len(train_ds), has_eval=val_ds is not None)
    total_steps = jobs.total_steps(cfg, len(train_ds), world_size())
    callback = EventCallback(writer, cfg, total_steps)
    trainer_cls = mod.make_trainer_class(Trainer) if hasattr(mod, "make_trainer_class") \
        else Trainer
    trainer = trainer_cls(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          data_collator=mod.make_collator(tokenizer, model),
                          compute_metrics=mod.compute_metrics(plan.data.labels),
                          callbacks=[callback, StopCallback(stop), *jobs.extra_callbacks(cfg)])
    if hasattr(mod, "packed_collator"):
        trainer.packed_collator = mod.packed_collator(cfg, tokenizer)
    trainer.remove_callback(PrinterCallback)  # our events are the log; no raw dicts on stdout
    writer.emit("start", run_id=run_dir.name, config_digest=cfg.digest(), task=cfg.task,
                model=cfg.model.name, family=plan.family, method=cfg.method.method,
                parameters=plan.parameters, trainable=plan.trainable,
                train_rows=len(train_ds), validation_rows=len(val_ds) if val_ds else 0,
                total_steps=total_steps, epochs=cfg.train.epochs,
                batch_size=cfg.train.batch_size, labels=plan.data.labels,
                precision=jobs.precision(cfg), world_size=world_size())

    before = {}
    checkpoint = jobs.last_checkpoint(run_dir) if resume else None
    if val_ds is not None and cfg.train.eval_before and checkpoint is None:
        before = evaluate(trainer, mod, plan, cfg, val_ds, run_dir, phase="before")
        writer.emit("eval", phase="before", step=0, epoch=0.0, metrics=scalars(before))
    if resume and checkpoint is None:
        writer.emit("message", level="warning", code="no_checkpoint",
                    text="No checkpoint found; training starts from the beginning.")
    callback.started()
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    step = trainer.state.global_step

    model_path = run_dir / "model"
    if stop.requested:
        jobs.save_model(trainer, plan, model_path)
        writer.emit("stopped", step=step, model_path=str(model_path),
                    reason="Stopped on request; the model trained so far was saved.")
        _finish(registry, run_dir.name, rank() == 0, "stopped",
                reason="Stopped on request; the model trained so far was saved.")
        return "stopped"

    after = {}
    if val_ds is not None:
        after = evaluate(trainer, mod, plan, cfg, val_ds, run_dir, phase="after")
        writer.emit("eval", phase="after", step=step, epoch=trainer.state.epoch,
                    metrics=scalars(after))
    jobs.save_model(trainer, plan, model_path)
    final = {"before": before, "after": after,
             "train_loss": callback.last_loss, "train_seconds": round(callback.train_time(), 2),
             "train_samples_per_second": callback.samples_per_second(),
             "steps": step}
    if rank() == 0:
        (run_dir / "metrics.json").write_text(json.dumps(final, indent=2, default=str))
    summary = {**{f"before_{k}": v for k, v in scalars(before).items()}, **scalars(after),
               "train_loss": callback.last_loss, "steps": step}
    writer.emit("done", metrics=summary, model_path=str(model_path),
                elapsed=round(time.time() - t0, 2))
    _finish(registry, run_dir.name, rank() == 0, "done", metrics=summary)
    return "done"


def evaluate(trainer, mod, plan, cfg, val_ds, run_dir: Path, phase: str) -> dict:
    """Eval loss (+ perplexity) or the classification report, plus generated-text metrics."""
    if cfg.task == "classification":
        metrics, rows = mod.detailed_eval(trainer, val_ds, plan.data.validation, plan.data.labels)
        if rank() == 0:
            with open(run_dir / f"predictions_{phase}.jsonl", "w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        return metrics
    out = trainer.evaluate()
    metrics = {"eval_loss": out.get("eval_loss")}
    if metrics["eval_loss"] is not None:
        metrics["perplexity"] = math.exp(min(metrics["eval_loss"], 50))
    gen = {}
    if rank() == 0:
        with jobs.autocast(cfg):  # generation in bf16 too: ~1.4x faster on this kind of CPU
            gen = mod.generate_eval(trainer.model, plan.tokenizer, plan.data.validation, cfg)
    samples = gen.pop("samples", [])
    if rank() == 0 and samples:
        with open(run_dir / f"samples_{phase}.jsonl", "w", encoding="utf-8") as f:
            for s in samples:
                f.write(json.dumps(s, ensure_ascii=False) + "\n")
    return {**metrics, **gen}


def scalars(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
