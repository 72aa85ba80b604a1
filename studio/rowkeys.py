"""Stable keys for validation rows, so outputs of different runs can be paired row by row.

A key is derived from the row's content, not its position: two runs on the same data with the
same split see the same keys whatever model or tokenizer they use, and a run on a re-ordered
copy of the file still pairs up. A text that occurs several times gets '#2', '#3', ... so every
key in one run is unique.
"""
from __future__ import annotations

import hashlib
from typing import Iterable


def row_keys(texts: Iterable[str]) -> list[str]:
    """One key per text, in order: sha1 of the text (16 hex digits), '#n' for the n-th repeat."""
    seen: dict[str, int] = {}
    keys = []
    for text in texts:
        digest = hashlib.sha1(str(text).encode("utf-8")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        keys.append(digest if seen[digest] == 1 else f"{digest}#{seen[digest]}")
    return keys
