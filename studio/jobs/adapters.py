"""What a job changes about a loaded model before training: LoRA adapters, dropout, frozen
embeddings."""
from __future__ import annotations

from ..config import JobConfig
from ..errors import ConfigError
from ..units import short_count  # noqa: F401 - the sentence's numbers; tests read it here

# Modules LoRA adapts when the user leaves lora_targets on "auto" and there is no preset.
LORA_TARGETS = {"bert": ["query", "value"], "t5": ["q", "v"], "gpt2": ["c_attn"],
                "gpt": "all-linear"}
# method.method "auto": a GPT-family model with at least this many parameters trains LoRA
# adapters, a smaller one (and every BERT or T5 model) is fine-tuned in full. Full fine-tuning
# with AdamW holds ~16 bytes per parameter before activations (fp32 weights, gradients and two
# optimizer moments), so a 135M chat model already needs >2 GB plus activations on a CPU Space
# with 16 GB; LoRA trains <1% of the weights at near the same quality for chat.
LORA_MIN_PARAMETERS = 100_000_000
AUTO_LORA_NOTE = ("LoRA chosen because {model} has {params} parameters (full fine-tuning is the "
                  "default below {threshold}); set method.method=full to train every weight.")


def auto_method(family: str, parameters: int | None) -> str:
    """What method.method 'auto' means for a model of `family` with `parameters` (None: not
    countable from its config, which means full fine-tuning)."""
    if family == "gpt" and parameters is not None and parameters >= LORA_MIN_PARAMETERS:
        return "lora"
    return "full"


def auto_note_params(model: str, parameters: int) -> dict:
    """The numbers of AUTO_LORA_NOTE (also what the page translates it from)."""
    from pathlib import Path
    return {"model": Path(str(model).rstrip("/")).name or str(model),
            "params": short_count(parameters), "threshold": short_count(LORA_MIN_PARAMETERS)}


def apply_lora(model, cfg: JobConfig, family: str):
    from peft import LoraConfig, TaskType, get_peft_model
    task_type = {"classification": TaskType.SEQ_CLS,
                 "gpt": TaskType.CAUSAL_LM, "t5": TaskType.SEQ_2_SEQ_LM}
    tt = task_type["classification"] if cfg.task == "classification" else task_type[family]
    targets = cfg.method.lora_targets
    if targets != "all-linear":
        targets = [t.strip() for t in targets.split(",") if t.strip()]
        names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
        missing = [t for t in targets if t not in names]
        if missing:
            raise ConfigError(code="lora_targets", missing=missing,
                              available=sorted(_linear_names(model))[:12])
    extra = {}
    if cfg.task == "classification":
        # peft trains and saves a head named classifier/score whole; T5's classification_head
        # and a BERT pooler (which some checkpoints lack) need saying: left out, every load of
        # the run would draw them anew and the probabilities would change between loads.
        heads = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
        extra["modules_to_save"] = [m for m in ("pooler", "classification_head") if m in heads]
    lc = LoraConfig(task_type=tt, r=cfg.method.lora_r, lora_alpha=cfg.method.lora_alpha,
                    lora_dropout=cfg.method.lora_dropout, target_modules=targets, **extra)
    return get_peft_model(model, lc)


def _linear_names(model) -> set[str]:
    import torch
    return {n.rsplit(".", 1)[-1] for n, m in model.named_modules()
            if isinstance(m, torch.nn.Linear)}


def set_dropout(model, p: float) -> None:
    """One dropout rate everywhere: config fields are named differently in every architecture
    (hidden_dropout_prob, resid_pdrop, dropout_rate, attention_dropout), so set both the
    config values and the nn.Dropout modules built from them."""
    import torch
    for name, value in vars(model.config).items():
        if isinstance(value, float) and ("dropout" in name or "pdrop" in name):
            setattr(model.config, name, p)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = p
        if isinstance(getattr(module, "dropout", None), float):  # attention modules keep a float
            module.dropout = p


def adapt(model, cfg: JobConfig, family: str):
    """Dropout, then LoRA or frozen embeddings, as the resolved job says; returns the model
    to train (a PeftModel under LoRA)."""
    if cfg.train.dropout is not None:
        set_dropout(model, cfg.train.dropout)
    if cfg.method.method == "lora":
        return apply_lora(model, cfg, family)
    if cfg.train.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    return model


def count(model) -> tuple[int, int]:
    """(all parameters, trainable parameters)."""
    params = list(model.parameters())
    return (sum(p.numel() for p in params),
            sum(p.numel() for p in params if p.requires_grad))
