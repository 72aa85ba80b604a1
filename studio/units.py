"""Numbers as people read them, shared by the engine's sentences, the CLI and the page."""
from __future__ import annotations

UNITS = (("B", 1e9), ("M", 1e6), ("k", 1e3))


def count(n, compact: bool = False) -> str:
    """A parameter or row count, short: 4.4M, 134.5M, 22.7k ('-' for None). `compact` writes
    it as model names do: 135M, 1.5B, 100M (whole units from 10 up, no trailing .0)."""
    if n is None:
        return "-"
    n = float(n)
    for unit, size in UNITS:
        if n >= size:
            if not compact:
                return f"{n / size:.1f}{unit}"
            text = f"{n / size:.0f}" if n >= 10 * size else \
                f"{n / size:.1f}".rstrip("0").rstrip(".")
            return text + unit
    return f"{int(n)}"


def short_count(n: int) -> str:
    """135M, 1.5B, 4.4M, 250k: a parameter count as model names write it."""
    return count(n, compact=True)
