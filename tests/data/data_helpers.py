"""Shared by the tests of studio.data: the fixture files and short views of an Inspection."""
from __future__ import annotations

from pathlib import Path

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "data"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def fx(name: str) -> str:
    return str(FIX / name)


def excluded(insp) -> list[tuple[int, str]]:
    return [(e["row"], e["reason"]) for e in insp.excluded]


def kinds(insp) -> dict[str, tuple[str, int, list[int]]]:
    return {p.kind: (p.action, p.count, p.rows) for p in insp.problems}


class WordTokenizer:
    """Counts words as tokens; enough to test the length check without downloading anything."""
    model_max_length = 512
    chat_template = None

    def __call__(self, texts, pairs=None, truncation=False):
        pairs = pairs or [""] * len(texts)
        return {"input_ids": [[0] * (len(a.split()) + len(b.split()) + 2)
                              for a, b in zip(texts, pairs)]}
