"""Config fields that carry their own help, bounds and choices, and the generic machinery over
them: walking a config tree, casting and checking a value, dotted overrides, building from a
dict. `studio.config` declares the job with these; the CLI help and the page's widgets read the
same metadata.
"""
from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import field
from typing import Any

from .errors import ConfigError


def opt(default, help: str, *, min=None, max=None, choices=None, advanced=False, label=None,
        recorded=False):
    """A config field with its help text, bounds and allowed values attached as metadata.

    `recorded` fields are written by the engine when a run starts (what the data turned out to
    be); a user never sets them, so forms and help leave them out."""
    meta = {"help": help, "min": min, "max": max, "choices": choices, "advanced": advanced,
            "label": label, "recorded": recorded}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)



def _split_assignment(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise ConfigError(f"Override '{text}' must look like key=value, e.g. "
                          f"train.learning_rate=1e-4.")
    k, v = text.split("=", 1)
    return k.strip(), v.strip()


def iter_fields(obj, prefix=""):
    """Yield (dotted path, dataclass field, current value) for every leaf field."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from iter_fields(value, path + ".")
        else:
            yield path, f, value


def field_at(root, path: str) -> dataclasses.Field:
    """The dataclass field of `root` (a config instance) at a dotted path."""
    obj: Any = root
    parts = path.split(".")
    for part in parts[:-1]:
        obj = getattr(obj, part, None)
        if not dataclasses.is_dataclass(obj):
            raise ConfigError(f"Unknown setting '{path}'; see `python -m studio train --help`.")
    names = {f.name: f for f in dataclasses.fields(obj)}
    if parts[-1] not in names or dataclasses.is_dataclass(getattr(obj, parts[-1])):
        raise ConfigError(f"Unknown setting '{path}'. Known settings in this section: "
                          f"{', '.join(sorted(names))}.")
    return names[parts[-1]]


def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _base_type(tp):
    """int | None -> (int, True)."""
    args = typing.get_args(tp)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return tp, False


def cast_value(path: str, tp, value):
    base, nullable = _base_type(tp)
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "null", "")
                         and nullable):
        if nullable:
            return None
        if base is str:
            return ""
        raise ConfigError(code="needs_value", field=path)
    try:
        if base is bool:
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in ("true", "yes", "1", "on"):
                return True
            if s in ("false", "no", "0", "off"):
                return False
            raise ValueError
        if base is int:
            number = float(value) if isinstance(value, (str, float)) else value
            if isinstance(number, float) and not number.is_integer():
                raise ValueError  # 1.5 examples per batch is a typo, not 1
            return int(number)
        if base is float:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError  # nan passes every bounds check; inf is never meant
            return number
        if base is str:
            return str(value)
    except (TypeError, ValueError):
        raise ConfigError(code="bad_type", field=path, value=str(value),
                          kind=base.__name__) from None
    return value


def check_value(path: str, f: dataclasses.Field, value) -> None:
    m = f.metadata
    if value is None:
        return
    if m.get("choices") and value not in m["choices"]:
        raise ConfigError(code="bad_choice", field=path, value=value,
                          choices=list(m["choices"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        lo, hi = m.get("min"), m.get("max")
        if lo is not None and value < lo:
            raise ConfigError(code="too_small", field=path, value=value, min=lo)
        if hi is not None and value > hi:
            raise ConfigError(code="too_large", field=path, value=value, max=hi)


def set_field(cfg, path: str, value) -> None:
    f = field_at(cfg, path)
    obj: Any = cfg
    parts = path.split(".")
    for part in parts[:-1]:
        obj = getattr(obj, part)
    tp = _hints(type(obj))[f.name]
    cast = cast_value(path, tp, value)
    check_value(path, f, cast)
    setattr(obj, f.name, cast)


def build(cls, data: dict, prefix: str):
    if not isinstance(data, dict):
        raise ConfigError(f"'{prefix.rstrip('.') or 'job'}' must be a mapping of settings.")
    hints = _hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(names)
    if unknown:
        raise ConfigError(f"Unknown setting '{prefix}{sorted(unknown)[0]}'. Known settings: "
                          f"{', '.join(prefix + n for n in names)}.")
    kwargs = {}
    for name, f in names.items():
        if name not in data:
            continue
        tp = hints[name]
        if dataclasses.is_dataclass(tp):
            kwargs[name] = build(tp, data[name] or {}, prefix + name + ".")
        else:
            kwargs[name] = cast_value(prefix + name, tp, data[name])
            check_value(prefix + name, f, kwargs[name])
    return cls(**kwargs)


def describe(root, recorded: bool = False) -> list[dict]:
    """Every leaf setting of `root` with its type, default and metadata (engine-recorded fields
    only with `recorded=True`)."""
    out = []
    for path, f, value in iter_fields(root):
        if f.metadata.get("recorded") and not recorded:
            continue
        parent = root
        for part in path.split(".")[:-1]:
            parent = getattr(parent, part)
        tp, nullable = _base_type(_hints(type(parent))[f.name])
        out.append({"path": path, "type": tp.__name__, "nullable": nullable, "default": value,
                    **f.metadata})
    return out
