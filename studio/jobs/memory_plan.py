"""The memory planner: make a run fit the memory it will have, or refuse it with the numbers.

`resolve` calls `apply` once every default is filled, so the page's preview, the queue and the
CLI take the same decision, and the run's job.yaml records it (the changed batch size and
accumulation, the method, and the sentence in train.memory_plan). When the estimate
(memory.py) exceeds the budget, in this order:

1. a smaller micro-batch with more gradient accumulation: the same effective batch
   (batch_size x grad_accum), so the same optimisation, only slower;
2. generation models trained in full: LoRA adapters (no gradients or optimizer state for the
   base weights), at the largest micro-batch that fits (first, before 1, for models above
   LORA_FIRST_PARAMS on a CPU);
3. nothing fits: MemoryBudgetError with the smallest need and the budget.

The budget is the memory free now (CUDA: `torch.cuda.mem_get_info`; CPU: MemAvailable) less a
safety margin, or STUDIO_MEMORY_BUDGET_MB to simulate a small machine (tests, Spaces).
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from ..config import JobConfig
from ..errors import StudioError
from ..wording import english
from . import memory as mem

# Keep this much of the free memory for everything else on the machine (CPU: the page, the OS
# cache a loaded model needs; CUDA: fragmentation).
MARGIN_SHARE = 0.10
MARGIN_MIN = 256 * mem.MB
# Above this many parameters a generation model that does not fit switches to LoRA before
# trying smaller micro-batches (CPU: full fine-tuning of such a model is slow anyway).
LORA_FIRST_PARAMS = 300_000_000


class MemoryBudgetError(StudioError):
    """Even the smallest setup of a job needs more memory than the machine has free."""


@dataclass
class MemoryPlan:
    estimate: mem.Estimate              # of the job as it will run (after any change)
    budget: int                         # bytes the run may use ("free" in the sentences)
    device: str
    changes: dict = field(default_factory=dict)    # path -> (before, after)
    code: str = ""                      # "" | memory_micro_batch | memory_lora
    params: dict = field(default_factory=dict)     # the sentence's numbers, for translation
    sentence: str = ""                  # English, as the events and job.yaml record it

    @property
    def fits(self) -> bool:
        return self.estimate.total <= self.budget


def gb(n: float) -> str:
    return f"{n / mem.GB:.1f}"


def free_bytes(device: str | None = None) -> int:
    """Memory free for a new run right now, on `device` (before the margin)."""
    device = device or mem.device()
    if device == "cuda":
        import torch
        return int(torch.cuda.mem_get_info()[0])
    try:
        import psutil
        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 16 * mem.GB  # unknown (not Linux, no psutil): assume a common laptop


def budget_bytes(device: str | None = None) -> int:
    """What a run may use: STUDIO_MEMORY_BUDGET_MB when set, else free memory less a margin."""
    env = os.environ.get("STUDIO_MEMORY_BUDGET_MB", "").strip()
    if env:
        try:
            return int(float(env) * mem.MB)
        except ValueError:
            pass
    free = free_bytes(device)
    return int(free - max(MARGIN_MIN, free * MARGIN_SHARE))


class _Sizer:
    """Estimates for variants of one job: the data is tokenized and the skeleton counted once
    per method."""

    def __init__(self, cfg: JobConfig, family: str, location: str, job_data):
        from .numerics import precision
        from .. import models
        self.family, self.location, self.job_data = family, location, job_data
        self.shape = mem.shape(models.load_config(location, cfg.model.trust_remote_code))
        self.lens = mem.lengths(cfg, family, location, job_data)
        self.prec, self.dev = precision(cfg), mem.device()
        self._counts: dict = {}

    def __call__(self, cfg: JobConfig) -> mem.Estimate:
        key = (cfg.method.method, cfg.method.lora_r, cfg.method.lora_targets)
        if key not in self._counts:
            model = mem.skeleton(self.location, cfg, self.family, self.job_data.labels)
            self._counts[key] = (*mem.counts(model, cfg, self.family),
                                 mem.packing_able(cfg, self.family, model))
        total, trainable, frozen, targets, packed = self._counts[key]
        est = mem.compute(cfg, self.family, self.shape, total, trainable, frozen, targets,
                          self.lens, self.dev, self.prec, packed)
        # CPU workers of one run (train.devices) share this machine's memory: each holds it all.
        procs = max(1, getattr(cfg.train, "devices", 1)) if self.dev == "cpu" else 1
        est.total *= procs
        est.parts["processes"] = procs
        return est


def _variant(cfg: JobConfig, micro: int, accum: int, method: str | None = None) -> JobConfig:
    c = cfg.copy()
    c.train.batch_size, c.train.grad_accum = micro, accum
    if method:
        c.method.method = method
    return c


def plan(cfg: JobConfig, family: str, location: str, job_data,
         budget: int | None = None) -> tuple[JobConfig, MemoryPlan]:
    """(the config to run, the plan). Raises MemoryBudgetError when nothing fits."""
    size = _Sizer(cfg, family, location, job_data)
    budget = budget_bytes(size.dev) if budget is None else int(budget)
    first = size(cfg)
    if first.total <= budget:
        return cfg, MemoryPlan(first, budget, size.dev)
    b, accum = cfg.train.batch_size, cfg.train.grad_accum
    effective = b * accum
    micros = [m for m in range(b - 1, 0, -1) if effective % m == 0]
    methods = [None]
    if cfg.method.method == "full" and cfg.task != "classification":
        # A big generation model on a CPU would crawl at micro-batch 1: adapters first.
        big = first.parameters > LORA_FIRST_PARAMS and size.dev == "cpu"
        methods = ["lora", None] if big else [None, "lora"]
    smallest = first
    for method in methods:
        for micro in [b] * bool(method) + micros:
            c = _variant(cfg, micro, effective // micro, method)
            est = size(c)
            smallest = min(smallest, est, key=lambda e: e.total)
            if est.total <= budget:
                return c, _explain(cfg, c, first, est, budget, size.dev)
    raise MemoryBudgetError(code="memory_too_small", model=cfg.model.name,
                            need_gb=gb(smallest.total), free_gb=gb(budget),
                            max_length=cfg.train.max_length, lora="lora" in methods,
                            method="lora" if "lora" in methods else cfg.method.method)


def _explain(before: JobConfig, after: JobConfig, first: mem.Estimate, est: mem.Estimate,
             budget: int, device: str) -> MemoryPlan:
    changes = {}
    for path in ("train.batch_size", "train.grad_accum", "method.method"):
        sect, name = path.split(".")
        old, new = getattr(getattr(before, sect), name), getattr(getattr(after, sect), name)
        if old != new:
            changes[path] = (old, new)
    t = after.train
    params = {"model": before.model.name, "method": before.method.method,
              "batch": before.train.batch_size, "need_gb": gb(first.total),
              "free_gb": gb(budget), "micro": t.batch_size, "accum": t.grad_accum,
              "effective": t.batch_size * t.grad_accum, "now_gb": gb(est.total)}
    code = "memory_lora" if "method.method" in changes else "memory_micro_batch"
    # params name the method by its value ("lora"); each catalogue words it (LoRA / 全量微调)
    text = english(code, params)
    after.train.memory_plan = text
    return MemoryPlan(est, budget, device, changes, code, params, text)


# The plan of the latest resolves, by the resolved job: `preview` shows the plan
# that `resolve` made without estimating twice.
_RECENT: OrderedDict = OrderedDict()
_LOCK = threading.Lock()


def apply(cfg: JobConfig, family: str, location: str, job_data) -> JobConfig:
    """The planner inside `resolve`: returns the config to run (changed or not)."""
    new, p = plan(cfg, family, location, job_data)
    with _LOCK:
        _RECENT[_key(new)] = p
        while len(_RECENT) > 16:
            _RECENT.popitem(last=False)
    return new


def recall(cfg: JobConfig) -> MemoryPlan | None:
    with _LOCK:
        return _RECENT.get(_key(cfg))


def _key(cfg: JobConfig) -> str:
    """The job without what resolve records about the data afterwards (roles, fingerprint)."""
    import json
    d = cfg.to_dict()
    d["data"] = [d["data"]["train_file"], d["data"]["validation_file"]]
    return json.dumps(d, sort_keys=True, default=str)
