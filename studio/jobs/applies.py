"""Which settings apply to a job: the engine's one answer, for the page and for the next run.

A setting applies only to some jobs: LoRA's rank to LoRA, the system prompt to generation,
packing to the model families that can pack. The page shows only what applies (it asks
`inapplicable`), and a value the user set that stops applying when the data, the model or the
method change is put back to its default with a sentence (`settle`), never a refusal: the
engine would otherwise refuse `train.packing` for a T5 model that the user never meant to pack.
The CLI's `train --help` keeps listing every field.
"""
from __future__ import annotations

from ..config import JobConfig

LORA_ONLY = ("method.lora_r", "method.lora_alpha", "method.lora_dropout",
             "method.lora_targets", "method.bf16_base")
FULL_ONLY = ("train.freeze_embeddings",)
GENERATION_ONLY = ("data.system_prompt", "train.generation_samples")
# Every setting that applies to some jobs only (the rest apply to every job).
CONDITIONAL = LORA_ONLY + FULL_ONLY + GENERATION_ONLY + ("train.packing",
                                                         "train.group_by_length")

# reason code -> the English sentence (the page translates it by code: applies_<code>)
REASONS = {
    "lora_only": "{field} applies to LoRA only, and this job fine-tunes every weight",
    "full_only": "{field} applies to full fine-tuning only, and this job trains LoRA adapters",
    "generation_only": "{field} applies to chat and text2text jobs only, and this job "
                       "classifies",
    "packing_unsupported": "{field} works for BERT-family classification and GPT-family chat "
                           "and text2text only, not a {family}-family {task} job",
    "packing_on": "{field} has no effect while packing is on (packed batches have no padding)",
}


def packing_possible(task: str | None, family: str | None, devices: int = 1) -> bool | None:
    """Whether train.packing can be on for this task and model family (None: not known yet,
    e.g. no model chosen). Mirrors `tasks.packing.supports_job` by family, without a model."""
    if devices > 1:
        return False
    if not task or task == "auto" or not family or family == "auto":
        return None
    return (task == "classification" and family == "bert") or (
        task in ("chat", "text2text") and family == "gpt")


def inapplicable(task: str | None, family: str | None, method: str | None,
                 packing: bool | None = None, devices: int = 1) -> dict[str, str]:
    """path -> reason code for each setting that does not apply to a job of this task, model
    family and method (already resolved: 'full' or 'lora'). An unknown part (None, 'auto')
    rules nothing out. `packing` is the job's packing as set (None = on where possible)."""
    out: dict[str, str] = {}
    if method == "full":
        out.update(dict.fromkeys(LORA_ONLY, "lora_only"))
    elif method == "lora":
        out.update(dict.fromkeys(FULL_ONLY, "full_only"))
    if task == "classification":
        out.update(dict.fromkeys(GENERATION_ONLY, "generation_only"))
    possible = packing_possible(task, family, devices)
    if possible is False:
        out["train.packing"] = "packing_unsupported"
    elif packing or (packing is None and possible):
        out["train.group_by_length"] = "packing_on"
    return out


def default_of(path: str):
    """A setting's value in a job nobody changed."""
    value = JobConfig()
    for part in path.split("."):
        value = getattr(value, part)
    return value


def resolved_method(cfg: JobConfig, family: str, parameters: int | None = None) -> str:
    """'full' or 'lora': the method as set, or what 'auto' picks for this model's size."""
    from . import adapters
    if cfg.method.method != "auto":
        return cfg.method.method
    if parameters is None and family == "gpt":
        from .plan import method_parameters, resolve_model
        location, _family, _preset = resolve_model(cfg)
        parameters = method_parameters(cfg, family, location)
    return adapters.auto_method(family, parameters)


def settle(cfg: JobConfig, task: str | None = None, family: str | None = None,
           parameters: int | None = None) -> tuple[JobConfig, list[dict]]:
    """(a copy of `cfg` with every setting that does not apply to it put back to its default,
    what was put back): each note is {"field", "code", "value", "sentence", "family", "task"}.
    Only values that differ from the default are noted (a default that does not apply is
    harmless). `task` and `family` default to the job's own; unknown ones rule nothing out."""
    cfg = cfg.copy()
    task = task if task not in (None, "", "auto") else (
        cfg.task if cfg.task != "auto" else None)
    if family in (None, "", "auto"):
        family = cfg.model.family if cfg.model.family != "auto" else None
    if family is None and cfg.model.name:
        from .plan import resolve_model
        try:
            family = resolve_model(cfg)[1]
        except Exception:  # noqa: BLE001 - an unusable model is the preview's sentence to say
            family = None
    method = resolved_method(cfg, family, parameters) if family else (
        cfg.method.method if cfg.method.method != "auto" else None)
    notes = []
    for path, code in inapplicable(task, family, method, cfg.train.packing,
                                   cfg.train.devices).items():
        section, name = path.split(".")
        value, default = getattr(getattr(cfg, section), name), default_of(path)
        if value == default:
            continue
        setattr(getattr(cfg, section), name, default)
        notes.append({"field": path, "code": code, "value": value, "family": family or "",
                      "task": task or "", "sentence": REASONS[code].format(
                          field=path, family=family, task=task) + f"; it is back to its "
                                                                  f"default ({default})."})
    return cfg, notes
