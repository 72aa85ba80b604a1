"""The chat settings a user kept in Try ("Save these settings with the export") follow the model
out: they are recorded in the run folder when an export is made with them, so a later export
from the command line carries the same values, and they go into every export that has a place
for them (the Ollama Modelfile's PARAMETERs, generation_config.json of merged and zip).

A temperature of 0 means greedy decoding, written as `do_sample: false` with no temperature or
top_p, exactly how the studio answers; otherwise sampling with the kept temperature and top_p.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from ..runfolder import RunFolder

log = logging.getLogger(__name__)
FILE = "chat_settings.json"          # in the run's exports folder
KEYS = ("temperature", "top_p", "max_new_tokens", "system_prompt")


def clean(settings: dict | None) -> dict | None:
    if not settings:
        return None
    out = {k: settings[k] for k in KEYS if settings.get(k) not in (None, "")}
    return out or None


def save(folder: RunFolder, settings: dict | None) -> None:
    """Remember `settings` as the run's chat settings (None leaves what was saved)."""
    settings = clean(settings)
    if settings is None:
        return
    folder.exports_dir.mkdir(parents=True, exist_ok=True)
    path = folder.exports_dir / FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(settings, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def saved(folder: RunFolder) -> dict | None:
    """The run's kept chat settings, or None when none were ever kept."""
    try:
        return clean(json.loads((folder.exports_dir / FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError):
        return None


def resolve(folder: RunFolder, settings: dict | None) -> dict | None:
    """Settings given now win (and are saved); else the ones kept earlier."""
    if clean(settings):
        save(folder, settings)
        return clean(settings)
    return saved(folder)


def greedy(settings: dict | None) -> bool:
    """Whether these settings decode greedily (no settings: greedy, like the studio's own
    validation samples)."""
    return not settings or not float(settings.get("temperature") or 0) > 0


def write_generation_config(target: Path, settings: dict | None) -> None:
    """Make the folder's generation_config.json say how to decode: greedy unless kept
    settings sample, so transformers' pipeline never falls back to its own defaults."""
    from transformers import GenerationConfig
    try:
        gen = GenerationConfig.from_pretrained(target)
    except (OSError, ValueError):
        gen = GenerationConfig()
    if greedy(settings):
        gen.do_sample, gen.temperature, gen.top_p, gen.top_k = False, None, None, None
    else:
        gen.do_sample = True
        gen.temperature = float(settings["temperature"])
        gen.top_p = float(settings.get("top_p") or 1.0)
        gen.top_k = None
    if settings and settings.get("max_new_tokens"):
        gen.max_new_tokens = int(settings["max_new_tokens"])
    gen.save_pretrained(target)
