"""A sweep's grid: `key=v1,v2` items -> the cartesian product of JobConfigs, each named.

Keys are JobConfig dotted paths; only settings that change what is learned, not what is learned
*from*, may vary (the data, its split and the seed stay the base job's, so every candidate is
scored on the same validation rows). Every value is cast and bounds-checked by the engine's own
`JobConfig.override`, so a wrong value is refused with the same sentence `train` would give.
"""
from __future__ import annotations

import itertools
from pathlib import Path

from ..config import METHODS as JOB_METHODS, JobConfig
from ..errors import ConfigError

# What a sweep may vary. Anything that changes the rows or their split (data.*, train.seed)
# would make candidates incomparable, so it is not here.
GRID_KEYS = ("model.name", "train.learning_rate", "train.epochs", "method.method",
             "train.batch_size")
MAX_CANDIDATES = 16
# The methods a sweep compares side by side: "auto" is one of these, chosen per model.
METHODS = tuple(m for m in JOB_METHODS if m != "auto")


def parse_grid(items: list[str]) -> dict[str, list[str]]:
    """["model.name=minilm-l6,tiny-bert", "train.learning_rate=5e-5,1e-4"] -> {key: [values]}.

    Each value is checked against the setting (type, bounds, choices) here; a key with one
    value just fixes it for every candidate."""
    grid: dict[str, list[str]] = {}
    for item in items or []:
        if "=" not in str(item):
            raise ConfigError(code="sweep_bad_item", item=item)
        key, raw = (part.strip() for part in str(item).split("=", 1))
        if key not in GRID_KEYS:
            raise ConfigError(code="sweep_bad_key", key=key, keys=list(GRID_KEYS))
        if key in grid:
            raise ConfigError(code="sweep_repeated_key", key=key)
        values = list(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip()))
        if not values:
            raise ConfigError(code="sweep_no_values", key=key)
        for value in values:
            JobConfig().override({key: value})  # ConfigError naming the key and the value
        grid[key] = values
    return grid


def expand(base: JobConfig, grid: dict[str, list[str]]) -> list[JobConfig]:
    """The cartesian product of `grid` applied to copies of `base`, each with a readable name
    ("minilm-l6 · lr 1e-4"); ConfigError when it exceeds MAX_CANDIDATES or is empty of runs.
    Checks values only: whether a model can learn the task is `plan.check_candidates`."""
    grid = {k: list(v) for k, v in (grid or {}).items()}
    size = 1
    for values in grid.values():
        size *= len(values)
    if size > MAX_CANDIDATES:
        raise ConfigError(code="sweep_too_many", count=size, limit=MAX_CANDIDATES)
    keys = list(grid)
    varying = [k for k in keys if len(grid[k]) > 1]
    candidates = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        cfg = base.copy().override(dict(zip(keys, combo)))
        cfg.name = candidate_name(cfg, varying)
        candidates.append(cfg.validate())
    return candidates


def candidate_name(cfg: JobConfig, varying: list[str]) -> str:
    """The model, then each varied setting: 'minilm-l6 · lr 1e-4 · LoRA'."""
    parts = [short_model(cfg.model.name)]
    for key in varying:
        if key == "train.learning_rate":
            parts.append(f"lr {short_number(cfg.train.learning_rate)}")
        elif key == "train.epochs":
            parts.append(f"{cfg.train.epochs:g} ep")
        elif key == "method.method":
            parts.append({"lora": "LoRA"}.get(cfg.method.method, cfg.method.method))
        elif key == "train.batch_size":
            parts.append(f"bs {cfg.train.batch_size}")
    return " · ".join(parts)


def short_model(name: str) -> str:
    """A preset as is; a Hub id or a folder by its last part."""
    return Path(str(name).rstrip("/")).name or str(name)


def short_number(value) -> str:
    """1e-4, 5e-5, 2.5e-5: a learning rate as people write it; 'auto' for the preset's."""
    if value is None:
        return "auto"
    mantissa, exponent = f"{float(value):.6e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"
