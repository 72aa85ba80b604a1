"""What a job would do, before it starts: the one engine call behind the page's Train step.

The page sends what the user set (None for everything else); `preview` answers with the
resolved config and the facts the page shows (split sizes, steps, parameter counts, the capped
max_length), computed by the same code a run uses, so nothing is re-derived in the UI. The
model is built on PyTorch's meta device: no weights are read and nothing is allocated.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from ..config import JobConfig
from ..models import one_resolve
from . import adapters
from .memory import skeleton as build_skeleton  # the job's model on the meta device
from .plan import resolve, resolve_packing
from .trainer_args import steps_per_epoch, total_steps
from ..eval_budget import eval_work


@dataclass
class Preview:
    cfg: JobConfig                 # fully resolved: what job.yaml would record
    family: str
    train_rows: int
    validation_rows: int
    excluded_rows: int
    steps_per_epoch: int
    total_steps: int
    parameters: int
    trainable: int
    labels: list = field(default_factory=list)
    memory: object = None          # memory_plan.MemoryPlan: estimated peak, budget, changes
    evaluation: dict = field(default_factory=dict)  # studio.eval_budget.eval_work: its cost
    # studio.advisor.suggest: learning rate, epochs and batch to start from, each with its rule
    suggested: list = field(default_factory=list)

    @property
    def effective_batch(self) -> int:
        """Rows per optimizer step: batch size x gradient accumulation x devices."""
        t = self.cfg.train
        return t.batch_size * t.grad_accum * t.devices

    def to_dict(self) -> dict:
        return {"config": self.cfg.to_dict(), "family": self.family,
                "effective_batch": self.effective_batch,
                "train_rows": self.train_rows, "validation_rows": self.validation_rows,
                "excluded_rows": self.excluded_rows, "steps_per_epoch": self.steps_per_epoch,
                "total_steps": self.total_steps, "parameters": self.parameters,
                "trainable": self.trainable, "max_length": self.cfg.train.max_length,
                "learning_rate": self.cfg.train.learning_rate, "labels": self.labels,
                # not the budget: free memory moves between two identical previews
                "memory": self.memory and {"peak_bytes": self.memory.estimate.total,
                                           "code": self.memory.code,
                                           "sentence": self.memory.sentence},
                "evaluation": self.evaluation, "suggested": self.suggested}


@one_resolve()  # the model config is read once per call
def preview(cfg: JobConfig) -> Preview:
    """Resolve `cfg` against its data and model; raises the same StudioError a run would."""
    job_data = _cached_data(cfg)
    resolved, family, location, _preset, job_data = resolve(cfg, job_data)
    from .memory_plan import recall
    memory = recall(resolved)  # the plan resolve just made (before packing is settled)
    skeleton = build_skeleton(location, resolved, family, job_data.labels)
    parameters = adapters.count(skeleton)[0]
    trainable_model = adapters.adapt(skeleton, resolved, family)
    resolve_packing(resolved, trainable_model)
    rows, devices = len(job_data.train), resolved.train.devices
    from ..advisor.suggest import suggest
    return Preview(resolved, family, rows, len(job_data.validation),
                   resolved.data.rows_excluded, steps_per_epoch(resolved, rows, devices),
                   total_steps(resolved, rows, devices), parameters,
                   adapters.count(trainable_model)[1], list(job_data.labels), memory,
                   eval_work(resolved, rows, len(job_data.validation)),
                   suggest(resolved.task, family, resolved.method.method, rows, parameters))


# Reading a file is the slow part of a preview and the page asks again on every settings
# change, so the last few reads are kept, keyed by everything that changes what is read.
_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 8


def _data_key(cfg: JobConfig) -> tuple:
    import os
    stats = []
    for path in (cfg.data.train_file, cfg.data.validation_file):
        try:
            st = os.stat(path) if path else None
            stats.append((path, st.st_size, st.st_mtime_ns) if st else None)
        except OSError:
            stats.append((path, None, None))
    data = tuple(sorted((k, str(v)) for k, v in vars(cfg.data).items()))  # every data field
    return (tuple(stats), data, cfg.task, cfg.model.name, cfg.train.seed)


def _cached_data(cfg: JobConfig):
    from .. import data as data_mod
    from .plan import resolve_model
    key = _data_key(cfg)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    _location, family, _preset = resolve_model(cfg.copy().validate())
    job_data = data_mod.load_job_data(cfg, family=family)
    with _LOCK:
        _CACHE[key] = job_data
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return job_data


@dataclass
class ModelFacts:
    """What the Model step shows before any data is read."""
    name: str
    family: str
    preset: object                 # models.Preset or None
    untrained: bool
    parameters: int
    lora_trainable: int            # trainable parameters if the job used LoRA
    max_length: int                # the default max_length for this model and task


@one_resolve()  # the model config is read once per call
def model_facts(name: str, task: str = "auto", labels: list | None = None) -> ModelFacts:
    """Family, size and what LoRA would train for a model name; ModelError for an unusable
    name, ConfigError/ModelError when the model cannot do `task`."""
    from .. import models
    from .plan import resolve_defaults, resolve_model
    cfg = JobConfig(task=task if task != "auto" else "classification")
    cfg.model.name = (name or "").strip()
    cfg.method.method = "lora"
    location, family, preset = resolve_model(cfg)
    if task != "auto":
        models.check_task_family(task, family)
    config = models.load_config(location, cfg.model.trust_remote_code)
    from .plan import model_max_length
    cfg = resolve_defaults(cfg, family, preset, model_max_length(config))
    skeleton = build_skeleton(location, cfg, family, list(labels or []))
    total = adapters.count(skeleton)[0]
    lora = adapters.count(adapters.apply_lora(skeleton, cfg, family))[1]
    return ModelFacts(cfg.model.name, family, preset, bool(preset and preset.untrained), total,
                      lora, cfg.train.max_length)
