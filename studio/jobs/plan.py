"""Turning a JobConfig into a ready-to-train plan: resolve every default, read the data, load
the model and its adapters.

Shared by training (which runs the plan), the page (`preview`: what a run would do, before it
starts) and the benchmark. Defaults depend on the preset, the task, the method and the model's
own config, so they are filled here, once, and the result is what `job.yaml` records.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .. import models
from ..config import JobConfig
from ..errors import ConfigError, ModelError
from . import adapters, numerics as prec

log = logging.getLogger(__name__)


@dataclass
class Plan:
    cfg: JobConfig
    family: str
    location: str
    preset: models.Preset | None
    data: object = None            # studio.data.JobData
    task_module: object = None
    tokenizer: object = None
    model: object = None
    parameters: int = 0
    trainable: int = 0
    notes: list = field(default_factory=list)


def resolve_model(cfg: JobConfig) -> tuple[str, str, models.Preset | None]:
    location, preset = models.resolve_location(cfg.model.name, cfg.model.trust_remote_code)
    family = preset.family if preset else models.detect_family(
        models.load_config(location, cfg.model.trust_remote_code))
    if cfg.model.family not in ("auto", family):
        raise ModelError(code="family_mismatch", family=family, value=cfg.model.family,
                         model=cfg.model.name)
    return location, family, preset


def resolve_defaults(cfg: JobConfig, family: str, preset: models.Preset | None,
                     model_max: int | None = None, width: int | None = None,
                     parameters: int | None = None) -> JobConfig:
    """Fill every 'decide for me' field; the result is what job.yaml records.

    `width` is the model's hidden size when known; it decides 'auto' precision on a CPU.
    `model_max` is how many positions the model has: the default max_length never exceeds
    it, and a typed one that does is refused here rather than failing inside the model.
    `parameters` is the model's size when known (`method_parameters`); it decides 'auto'
    method (unknown: full fine-tuning), and the method decides the learning rate.
    """
    cfg = cfg.copy()
    if width is not None and cfg.train.precision == "auto":
        cfg.train.precision = prec.auto_precision(width)
    m = cfg.method
    if m.method == "auto":
        m.method = adapters.auto_method(family, parameters)
        if m.method == "lora":  # said once when the run starts (prepare) and on the page
            m.auto_reason = adapters.AUTO_LORA_NOTE.format(
                **adapters.auto_note_params(cfg.model.name, parameters))
    if m.method != "lora":
        m.auto_reason = ""
    lora = m.method == "lora"
    t = cfg.train
    if t.learning_rate is None:
        if preset:
            t.learning_rate = preset.lora_learning_rate if lora else preset.learning_rate
        else:
            t.learning_rate = {"bert": 3e-5, "gpt": 2e-5, "t5": 3e-4}[family] * (
                10 if lora else 1)
    if t.max_length is None:
        t.max_length = preset.max_length if preset else (
            128 if cfg.task == "classification" else 512)
        if model_max:
            t.max_length = min(t.max_length, model_max)
    elif model_max and t.max_length > model_max and family != "t5":  # T5: relative positions
        raise ConfigError(code="max_length_over_model", value=t.max_length, limit=model_max,
                          model=cfg.model.name)
    if t.freeze_embeddings is None:
        # Classification barely moves word embeddings (same SST-2 accuracy either way), while
        # their dense gradient and optimizer state cost a quarter of each MiniLM step. GPT
        # models often tie them to the output layer, which generation must keep learning.
        t.freeze_embeddings = cfg.task == "classification" and not lora
    cfg.model.family = family
    if cfg.method.lora_targets == "auto":
        targets = preset.lora_targets if preset else adapters.LORA_TARGETS.get(family,
                                                                               "all-linear")
        cfg.method.lora_targets = targets if isinstance(targets, str) else ",".join(targets)
    return cfg


def method_parameters(cfg: JobConfig, family: str, location: str) -> int | None:
    """The model's parameter count when method 'auto' needs it (a GPT-family model), counted
    on the meta device from its config (no weights); else None."""
    if cfg.method.method != "auto" or family != "gpt":
        return None
    from .memory import parameter_count
    return parameter_count(location, cfg, family)


@models.one_resolve()  # the model config is read once per job
def precheck(cfg: JobConfig) -> None:
    """The cheap checks a command runs before it creates a run: the model can be found and
    can learn the task, the data files exist, a typed max_length fits the model. Reads no
    data and loads no weights; raises the StudioError a run would fail with later."""
    from pathlib import Path

    from .. import hosting
    from ..errors import DataError
    cfg = cfg.copy().validate()
    hosting.check_job(cfg, hosting.current(), models.PRESETS)
    for which, path in (("training", cfg.data.train_file),
                        ("validation", cfg.data.validation_file)):
        if path and not path.startswith(("hf:", "hub:")) and not Path(path).is_file():
            from ..shown import shown_path
            raise DataError(code="train_file_missing" if which == "training" else
                            "validation_file_missing", file=shown_path(path))
    location, family, preset = resolve_model(cfg)
    if cfg.task != "auto":
        models.check_task_family(cfg.task, family)
    config = models.load_config(location, cfg.model.trust_remote_code)
    resolve_defaults(cfg, family, preset, model_max_length(config),
                     parameters=method_parameters(cfg, family, location))


@models.one_resolve()  # the model config is read once per job
def resolve(cfg: JobConfig, job_data=None, plan_memory: bool = True) -> tuple[
        JobConfig, str, str, models.Preset | None, object]:
    """Validate, refuse impossible pairs, read the data (unless given) and fill every default:
    (resolved config, family, model location, preset, JobData). Loads no weights. With
    `plan_memory`, the memory planner then fits the job to this machine (memory_plan.py)."""
    from .. import data as data_mod
    from .. import hosting
    cfg = cfg.copy().validate()
    hosting.check_job(cfg, hosting.current(), models.PRESETS)
    location, family, preset = resolve_model(cfg)
    if cfg.task != "auto":  # refuse before reading any data when we already can
        models.check_task_family(cfg.task, family)
    if job_data is None:
        job_data = data_mod.load_job_data(cfg, family=family)
    cfg.task = job_data.task
    models.check_task_family(cfg.task, family)
    check_label_count(cfg, job_data)
    config = models.load_config(location, cfg.model.trust_remote_code)
    given = cfg.copy()
    cfg = resolve_defaults(cfg, family, preset, model_max_length(config), model_width(config),
                           method_parameters(cfg, family, location))
    # The CPU rule for generated samples (eval_budget.py), before the memory planner: the
    # plan it records is keyed by the finished job, and a LoRA re-resolve starts from `given`.
    from ..eval_budget import default_generation_samples
    samples = default_generation_samples(cfg, len(job_data.train))[0]
    cfg.train.generation_samples = given.train.generation_samples = samples
    if plan_memory:
        from . import memory_plan
        planned = memory_plan.apply(cfg, family, location, job_data)
        if planned.method.method != cfg.method.method:  # LoRA's own defaults (learning rate)
            given.method.method = planned.method.method
            for name in ("batch_size", "grad_accum", "memory_plan"):
                setattr(given.train, name, getattr(planned.train, name))
            planned = resolve_defaults(given, family, preset, model_max_length(config),
                                       model_width(config))
        cfg = planned
    record_data(cfg, job_data)
    return cfg, family, location, preset, job_data


@models.one_resolve()  # the model config is read once per job
def plan_memory(cfg: JobConfig, budget_bytes: int | None = None):
    """The memory plan for a job as given (studio.jobs.memory_plan.MemoryPlan): estimate,
    budget and what the planner would change; MemoryBudgetError when nothing fits."""
    from . import memory_plan
    resolved, family, location, _preset, job_data = resolve(cfg, plan_memory=False)
    return memory_plan.plan(resolved, family, location, job_data, budget_bytes)[1]


def check_label_count(cfg: JobConfig, job_data) -> None:
    """Refuse a 'label' column that is really text before anything is tokenized: thousands of
    one-row classes train nothing useful and make evaluation files enormous."""
    n = len(job_data.labels)
    if cfg.task == "classification" and n > cfg.data.max_labels:
        from ..errors import DataError
        rows = len(job_data.train) + len(job_data.validation)
        column = job_data.roles.get("label", "label")
        raise DataError(code="too_many_labels", column=column, labels=n, rows=rows,
                        limit=cfg.data.max_labels, field="data.max_labels")  # named by label


def record_data(cfg: JobConfig, job_data) -> None:
    """Write what the data turned out to be into the job: the roles (guessed or given) and the
    fingerprint, so the run folder alone says exactly what was trained on."""
    from ..data import fingerprint, roles_to_config
    roles_to_config(cfg.data, job_data.roles)
    digest = fingerprint.of_files(cfg.data.train_file, cfg.data.validation_file)
    if cfg.data.fingerprint and cfg.data.fingerprint != digest:
        log.warning("The data files changed since this job was recorded (fingerprint %s, now "
                    "%s).", cfg.data.fingerprint, digest)
    cfg.data.fingerprint = digest
    cfg.data.rows_used = len(job_data.train) + len(job_data.validation)
    cfg.data.rows_excluded = len(job_data.inspection.excluded) + len(
        getattr(job_data.validation_inspection, "excluded", None) or [])
    from ..labels.versions import edits_for  # a cleaned version says what was changed
    cfg.data.label_edits = edits_for(cfg.data.train_file)


@models.one_resolve()  # the model config is read once per job
def prepare(cfg: JobConfig, log_note=None, load_model: bool = True) -> Plan:
    """Resolve the job, then load tokenizer and model and apply LoRA / dropout / freezing."""
    from ..tasks import task_module
    asked_samples = cfg.train.generation_samples  # None: the CPU rule may choose fewer
    cfg, family, location, preset, job_data = resolve(cfg)
    plan = Plan(cfg, family, location, preset, job_data, task_module(cfg.task, family))
    for p in getattr(job_data.inspection, "problems", []):
        if log_note and p.action != "blocking":
            log_note(level="warning" if p.action in ("excluded", "warning") else "info",
                     code=p.kind, text=p.message, count=p.count, rows=p.rows)
    if log_note and cfg.method.auto_reason:  # method 'auto' chose LoRA: why, and the way out
        log_note(level="info", code="method_auto", text=cfg.method.auto_reason)
    if log_note and cfg.train.memory_plan:  # what the memory planner changed, and why
        log_note(level="warning", code="memory_plan", text=cfg.train.memory_plan)
    if log_note and asked_samples is None:  # said once when the CPU rule shrank the default
        from ..eval_budget import shrink_note
        if note := shrink_note(cfg):
            log_note(level="info", code="generation_samples_cpu", text=note,
                     samples=cfg.train.generation_samples, field="train.generation_samples")
    if not load_model:
        return plan
    from transformers import AutoTokenizer, set_seed
    # Seed before any weight is created: a new classification head and LoRA's A matrices are
    # random, and the Trainer only seeds once the model already exists. Without this the same
    # job.yaml gives a different model (and dev accuracy) on every run.
    set_seed(cfg.train.seed)
    plan.tokenizer = plan.task_module.prepare_tokenizer(AutoTokenizer.from_pretrained(
        location, trust_remote_code=cfg.model.trust_remote_code))
    model = plan.task_module.load_model(location, cfg, job_data.labels,
                                        cfg.model.trust_remote_code, plan.tokenizer)
    plan.parameters = adapters.count(model)[0]
    plan.model = adapters.adapt(model, cfg, family)
    if cfg.method.method == "lora" and cfg.method.bf16_base and prec.precision(cfg) == "bf16":
        prec.frozen_linears_to_bf16(plan.model)
    if cfg.train.fast_dropout:
        from .. import fastdropout
        fastdropout.install(plan.model)
    resolve_packing(cfg, plan.model)
    plan.trainable = adapters.count(plan.model)[1]
    return plan


def resolve_packing(cfg: JobConfig, model) -> None:
    """Settle train.packing ('auto' = wherever the model supports it) for this model."""
    from ..tasks import packing
    t = cfg.train
    from .. import distributed
    # Packed batches call the model's inner modules, which DistributedDataParallel would
    # bypass (no gradient sync): with more than one process, batches are padded instead.
    able = packing.supports_job(cfg.task, model) and \
        max(cfg.train.devices, distributed.world_size()) == 1
    if t.packing is None:
        t.packing = able
    elif t.packing and not able:
        # the page names the field by its label
        raise ConfigError(code="packing_unsupported", field="train.packing")


def model_width(config) -> int | None:
    for name in ("hidden_size", "d_model", "n_embd", "dim"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def model_max_length(config) -> int | None:
    for name in ("max_position_embeddings", "n_positions"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None
