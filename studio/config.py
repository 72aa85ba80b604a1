"""What a training job *is*: one `JobConfig`, shared by the UI, the CLI and YAML files.

Every field carries its help text, bounds and allowed values in `dataclasses.field(metadata=...)`
so the CLI help, the UI widgets and validation are all generated from this one place.
`None` in a field (or "auto" among a field's choices) means "decide for me":
`studio.jobs.resolve()` fills those from the model preset, the model's size, the task and the
data before a run starts, and the resolved config is what lands
in `runs/<id>/job.yaml`, so a run folder always says exactly what was done.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError
from .fields import (_split_assignment, build, check_value, describe, field_at,  # noqa: F401
                     iter_fields, opt, set_field)

TASKS = ("auto", "classification", "chat", "text2text")
FAMILIES = ("auto", "bert", "gpt", "t5")
METHODS = ("auto", "full", "lora")
SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup")
PRECISIONS = ("auto", "bf16", "fp16", "fp32")
OPTIMIZERS = ("adamw_torch_fused", "adamw_torch", "adafactor", "sgd")
EVAL_STRATEGIES = ("epoch", "steps", "no")
UNNAMED_COLUMNS = ("join", "exclude")


@dataclass
class DataConfig:
    train_file: str = opt("", "Training data: CSV, TSV, JSON, JSONL, Parquet, Excel or text file.")
    validation_file: str = opt("", "Optional separate validation file; if empty a fraction of the "
                                   "training data is held out.")
    validation_fraction: float = opt(0.1, "Share of the training rows held out for validation when "
                                          "no validation file is given (stratified for classification).",
                                     min=0.0, max=0.5)
    max_rows: int = opt(0, "Use only the first N training rows (0 = all).", min=0, advanced=True)
    encoding: str = opt("", "Text encoding of the files (empty = detect).", advanced=True)
    sheet: str = opt("", "Excel sheet to read (empty = first sheet).", advanced=True)
    text_column: str = opt("", "Column holding the text to classify.")
    text_pair_column: str = opt("", "Optional second text column (sentence pairs).")
    label_column: str = opt("", "Column holding the label.")
    prompt_column: str = opt("", "Column holding the input / prompt.")
    response_column: str = opt("", "Column holding the target / response.")
    messages_column: str = opt("", "Column holding a conversation (list of messages).")
    system_column: str = opt("", "Optional column holding a system prompt.", advanced=True)
    system_prompt: str = opt("", "System prompt added to every chat example without one.",
                             advanced=True)
    unnamed_columns: str = opt("join", "Rows whose text spilled into unnamed trailing columns "
                                       "(unquoted commas): join the pieces back into the text "
                                       "column, or exclude those rows.",
                               choices=UNNAMED_COLUMNS, advanced=True)
    max_labels: int = opt(200, "Most distinct labels a classification job accepts: a column with "
                               "more is almost surely text, not labels (raise it for a real "
                               "many-class task).", min=2, max=100_000, advanced=True)
    fingerprint: str = opt("", "Recorded: sha256 of the data files this run read.",
                           recorded=True)
    rows_used: int = opt(0, "Recorded: training + validation rows used.", min=0, recorded=True)
    rows_excluded: int = opt(0, "Recorded: rows left out, each with its reason in the run's "
                                "events.", min=0, recorded=True)
    label_edits: dict = opt({}, "Recorded: when the training file is a version saved by "
                                "\"Check labels\" (studio.labels), the edits that made it: "
                                "source file and fingerprint, excluded and relabelled rows.",
                            recorded=True)


@dataclass
class ModelConfig:
    name: str = opt("tiny-bert", "Preset name, Hugging Face model id or local folder.",
                    label="Model")
    family: str = opt("auto", "Model family (auto = detect from the model's config).",
                      choices=FAMILIES)
    trust_remote_code: bool = opt(False, "Run code shipped with the model (only for models you "
                                         "trust).", advanced=True)


@dataclass
class MethodConfig:
    method: str = opt("auto", "Full fine-tuning updates every weight; LoRA trains small adapters "
                              "(auto = LoRA for GPT-family models of 100M parameters or more, "
                              "full otherwise).", choices=METHODS)
    lora_r: int = opt(8, "LoRA rank.", min=1, max=512, advanced=True)
    lora_alpha: int = opt(16, "LoRA scaling (alpha).", min=1, max=1024, advanced=True)
    lora_dropout: float = opt(0.05, "LoRA dropout.", min=0.0, max=0.9, advanced=True)
    lora_targets: str = opt("auto", "Modules LoRA adapts: 'auto' (per architecture), "
                                    "'all-linear', or comma-separated names.", advanced=True)
    bf16_base: bool = opt(True, "When LoRA trains in bf16, store the frozen base weights in "
                                "bf16: half the memory and no conversion at every step.",
                          advanced=True)
    auto_reason: str = opt("", "Recorded: why method 'auto' chose LoRA for this model, in one "
                               "sentence (empty = it did not).", recorded=True)


@dataclass
class TrainConfig:
    learning_rate: float | None = opt(None, "Learning rate (empty = preset default).",
                                      min=1e-7, max=1e-1, label="Learning rate")
    batch_size: int = opt(16, "Examples per training step (per device).", min=1, max=1024,
                          label="Batch size")
    epochs: float = opt(3.0, "Passes over the training data.", min=0.01, max=100, label="Epochs")
    max_steps: int = opt(-1, "Stop after this many steps (-1 = use epochs).", min=-1,
                         advanced=True)
    max_length: int | None = opt(None, "Longest input in tokens; longer ones are truncated "
                                       "(empty = preset default).", min=8, max=32768,
                                 advanced=True)
    warmup_ratio: float = opt(0.06, "Share of steps spent warming the learning rate up.",
                              min=0.0, max=0.5, advanced=True)
    weight_decay: float = opt(0.01, "Weight decay.", min=0.0, max=1.0, advanced=True)
    grad_accum: int = opt(1, "Gradient accumulation steps.", min=1, max=1024, advanced=True)
    scheduler: str = opt("linear", "Learning-rate schedule.", choices=SCHEDULERS, advanced=True)
    seed: int = opt(42, "Random seed (data split, shuffling, initialisation).", min=0,
                    advanced=True)
    eval_strategy: str = opt("epoch", "When to evaluate on the validation data.",
                             choices=EVAL_STRATEGIES, advanced=True)
    eval_steps: int = opt(100, "Evaluate every N steps (when evaluation is per step).", min=1,
                          advanced=True)
    logging_steps: int = opt(0, "Log the loss every N steps (0 = about 50 points per run).",
                             min=0, advanced=True)
    early_stopping_patience: int = opt(0, "Stop after N evaluations without improvement "
                                          "(0 = off).", min=0, advanced=True)
    save_checkpoints: bool = opt(True, "Keep a checkpoint at each evaluation so a run can "
                                       "resume.", advanced=True)
    precision: str = opt("auto", "Number format: auto uses bf16 where the hardware is fast at "
                                 "it and the model is wide enough to gain (hidden size >= 256).",
                         choices=PRECISIONS, advanced=True)
    optimizer: str = opt("adamw_torch_fused", "Optimizer; the fused AdamW updates all weights in "
                                              "one kernel (5x faster steps than the loop).",
                         choices=OPTIMIZERS, advanced=True)
    freeze_embeddings: bool | None = opt(None, "Full fine-tuning: keep the input word "
                                                "embeddings fixed - up to half of a small "
                                                "model's weights, so faster steps (empty = on "
                                                "for classification, off for generation).",
                                         advanced=True)
    dropout: float | None = opt(None, "Dropout inside the model (empty = the model's own).",
                                min=0.0, max=0.9, advanced=True)
    fast_dropout: bool = opt(True, "On CPUs, draw dropout masks with numpy's faster generator "
                                   "(same dropout, a third of its cost).", advanced=True)
    packing: bool | None = opt(None, "Lay each batch's texts end to end instead of padding "
                                     "them: the same result without the padding work, and "
                                     "random batches (empty = on where supported: BERT-family "
                                     "classification, GPT-family (Llama, Qwen, Mistral, GPT-2) "
                                     "chat and text2text).", advanced=True)
    group_by_length: bool = opt(True, "Batch texts of similar length together (less padding, "
                                      "faster).", advanced=True)
    eval_before: bool = opt(True, "Evaluate the base model before training (before vs after).",
                            advanced=True)
    generation_samples: int | None = opt(None, "Validation examples generated for BLEU/ROUGE/"
                                              "exact match (generation tasks; empty = 8, fewer "
                                              "on a CPU when the run is short).", min=0,
                                         max=1000, advanced=True)
    threads: int = opt(0, "CPU threads (0 = all cores).", min=0, max=512, advanced=True)
    devices: int = opt(1, "Processes (GPUs, or CPU workers) that train together: more than 1 "
                          "launches the job through torchrun, each process on its own share of the "
                          "data (rows per step = batch size x accumulation x devices).", min=1, max=64, advanced=True,
                       label="Devices")
    memory_plan: str = opt("", "Recorded: what the memory planner changed so the run fits this "
                               "machine's memory, in one sentence (empty = nothing).",
                           recorded=True)


@dataclass
class JobConfig:
    task: str = opt("auto", "What to train: classification, chat (instruction tuning) or "
                            "text2text (input -> target).", choices=TASKS)
    name: str = opt("", "A name for the run (empty = generated).", label="Run name")
    sweep: str = opt("", "Recorded: the sweep (`python -m studio sweep`, \"Try several\") this "
                         "run is a candidate of; empty for a single run.", recorded=True)
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    method: MethodConfig = field(default_factory=MethodConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    # ---- (de)serialisation --------------------------------------------------------------
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_yaml(self, path: str | Path | None = None) -> str:
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, data: dict | None) -> "JobConfig":
        return build(cls, data or {}, prefix="")

    @classmethod
    def from_yaml(cls, path_or_text: str | Path) -> "JobConfig":
        p = Path(path_or_text) if not str(path_or_text).lstrip().startswith("{") else None
        if p is not None and "\n" not in str(path_or_text) and p.exists():
            text = p.read_text(encoding="utf-8")
        elif "\n" in str(path_or_text) or ":" in str(path_or_text):
            text = str(path_or_text)
        else:
            raise ConfigError(f"Job file {path_or_text} does not exist; check the path.")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise ConfigError(f"The job file is not valid YAML{where}; fix the indentation or "
                              f"quoting there.") from None
        if data is not None and not isinstance(data, dict):
            raise ConfigError("The job file must be a YAML mapping (key: value lines).")
        return cls.from_dict(data)

    def copy(self) -> "JobConfig":
        return JobConfig.from_dict(self.to_dict())

    def digest(self) -> str:
        """A short fingerprint of the whole config (same job -> same digest)."""
        blob = json.dumps(self.to_dict(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    # ---- overrides ----------------------------------------------------------------------
    def override(self, assignments: list[str] | dict[str, Any]) -> "JobConfig":
        """Apply dotted `key=value` overrides (`train.learning_rate=1e-4`), cast by field type."""
        items = assignments.items() if isinstance(assignments, dict) else [
            _split_assignment(a) for a in assignments]
        for key, value in items:
            set_field(self, key, value)
        return self

    # ---- validation ---------------------------------------------------------------------
    def validate(self) -> "JobConfig":
        for path, f, value in iter_fields(self):
            check_value(path, f, value)
        if not self.data.train_file:
            raise ConfigError("data.train_file is empty; give the training data file.")
        if not self.model.name:
            raise ConfigError("model.name is empty; give a preset name, a Hub id or a folder.")
        return self


# ---- field metadata for the CLI help and the page's widgets ------------------------------

def field_info(path: str) -> dataclasses.Field:
    """The dataclass field for a dotted path, e.g. field_info('train.learning_rate')."""
    return field_at(JobConfig(), path)


def describe_fields(recorded: bool = False) -> list[dict]:
    """Every leaf setting with its type, default and metadata, for CLI/UI help (the fields the
    engine records when a run starts only with `recorded=True`)."""
    return describe(JobConfig(), recorded)
