"""Which export formats apply to a run: the one place that decides it. The export itself, its
refusals, the CLI and the page's format list all ask `available(run)`, so a refusal only ever
names formats that this run can actually be exported in.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..runfolder import RunFolder
from .common import ExportError, as_folder, model_info

FORMATS = ("zip", "merged", "gguf", "onnx")


def available(folder: RunFolder | str | Path) -> dict[str, ExportError | None]:
    """{format: None when it applies, else the ExportError export() would raise (its str() is
    the English sentence; its code and params translate)}. Raises the engine's no_model for a
    run without a trained model."""
    folder = as_folder(folder)
    info = model_info(folder)
    reasons = {"zip": None, "merged": None, "gguf": _gguf_reason(folder, info),
               "onnx": _onnx_reason(info)}
    instead = " / ".join(f for f, why in reasons.items() if why is None)
    return {f: why if why is None else _with_instead(why, folder, info, instead)
            for f, why in reasons.items()}


def refuse_unless_available(folder: RunFolder, fmt: str) -> None:
    why = available(folder).get(fmt)
    if why is not None:
        raise why


def _onnx_reason(info: dict) -> str | None:
    return None if info.get("task") == "classification" else "onnx_unsupported"


def _gguf_reason(folder: RunFolder, info: dict) -> str | tuple | None:
    from .gguf_arch import SUPPORTED
    if info.get("family") != "gpt" or info.get("task") == "classification":
        return "gguf_unsupported"
    source = folder.model_dir if info.get("method") != "lora" else Path(info["base_location"])
    try:
        config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a Hub id: ask transformers (from its cache)
        from transformers import AutoConfig
        config = AutoConfig.from_pretrained(str(info["base_location"])).to_dict()
    model_type = config.get("model_type", "")
    if model_type not in SUPPORTED:
        return ("gguf_architecture", model_type)
    rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
    kind = rope.get("rope_type", rope.get("type", "default"))
    if kind not in ("default", None):
        return ("gguf_rope", kind)
    return None


def _with_instead(why, folder: RunFolder, info: dict, instead: str) -> ExportError:
    code, detail = why if isinstance(why, tuple) else (why, "")
    task, family = info.get("task"), info.get("family")
    if code == "onnx_unsupported":
        return ExportError(code="onnx_unsupported", run=folder.id, task=task, instead=instead)
    if code == "gguf_unsupported":
        return ExportError(code="gguf_unsupported", run=folder.id, family=family, task=task,
                           instead=instead)
    if code == "gguf_architecture":
        return ExportError(code="gguf_architecture", model_type=detail, family=family,
                           task=task, instead=instead)
    return ExportError(code="gguf_rope", rope=detail, instead=instead)
