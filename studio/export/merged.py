"""A plain transformers folder: a LoRA adapter merged into its base (in the base's dtype), or
the fully fine-tuned weights, as safetensors with the tokenizer and a model card. No peft and
no studio are needed to load it."""
from __future__ import annotations

from pathlib import Path

from ..runfolder import RunFolder
from .card import write_card
from .common import Progress, copy_extras, load_model, report, save_plain


def write_merged(folder: RunFolder, target: Path, info: dict,
                 progress: Progress | None = None, settings: dict | None = None) -> dict:
    report(progress, 0.05, "Loading the model" + (" and merging the LoRA adapter into its base"
                                                  if info.get("method") == "lora" else ""))
    lm = load_model(folder)
    report(progress, 0.6, "Writing safetensors weights and the tokenizer")
    save_plain(lm.model, lm.tokenizer, target)
    if info.get("task") != "classification":
        from .chat_settings import write_generation_config
        write_generation_config(target, settings)
    copy_extras(folder, target)
    report(progress, 0.9, "Writing the model card")
    write_card(folder, target, info, "merged", location="path/to/this/folder",
               settings=settings)
    dtype = str(getattr(lm.model, "dtype", "")).replace("torch.", "")
    return {"dtype": dtype, "parameters": sum(p.numel() for p in lm.model.parameters())}
