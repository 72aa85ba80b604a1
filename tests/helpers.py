"""Run a job in-process the way `python -m studio train` does (faster than a subprocess)."""
from __future__ import annotations

import time
from pathlib import Path

from studio.config import JobConfig
from studio.runfolder import RunFolder
from studio.runs import Registry
from studio.training import run_job


def make_job(data: Path, model: str, task: str = "auto", **overrides) -> JobConfig:
    """A job on `model`. Tiny models train on one CPU thread: on a shared 2-core machine two
    contending torch threads made a 3 s tiny run take 45 s (override with train__threads=0)."""
    cfg = JobConfig(task=task)
    cfg.data.train_file = str(data)
    cfg.model.name = model
    cfg.train.generation_samples = 2
    if model.startswith("tiny-"):
        cfg.train.threads = 1
    cfg.override({k.replace("__", "."): v for k, v in overrides.items()})
    return cfg


def train_in_process(cfg: JobConfig, workspace: Path, resume_run: str | None = None):
    registry = Registry(workspace)
    if resume_run:
        run = registry.get(resume_run)
    else:
        run = registry.new_run(cfg)
    code = run_job(Path(run.run_dir), registry, resume=bool(resume_run))
    return code, Path(run.run_dir), registry


def events_of(run_dir: Path) -> list[dict]:
    """The run's events, read the way every reader of the engine reads them."""
    return RunFolder(run_dir).events()


def losses(events: list[dict]) -> list[float]:
    return [e["loss"] for e in events if e["type"] == "log"]


def tiny_tokenizer(name: str):
    """The tokenizer of a tiny preset, prepared the way its task module prepares it."""
    from transformers import AutoTokenizer
    from studio.models import ensure_tiny
    from studio.tasks.common import ensure_pad_token
    return ensure_pad_token(AutoTokenizer.from_pretrained(ensure_tiny(name)))


def wait_for(predicate, timeout: float = 120, every: float = 0.2, what: str = "a condition"):
    """predicate()'s first truthy value, polled every `every` s; an AssertionError naming
    `what` after `timeout` s. The one wait of the tests that poll a process or a server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
