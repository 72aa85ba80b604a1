"""A short, stable fingerprint of a job's data files: same bytes -> same fingerprint.

Recorded in job.yaml so a run folder says which data it saw, and used to group runs that
trained on the same data."""
from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def of_files(*paths: str) -> str:
    """sha256 over each given file's bytes (in order; empty paths skipped), 16 hex digits."""
    h = hashlib.sha256()
    for path in paths:
        if not path:
            continue
        p = Path(path)
        h.update(p.name.encode() + b"\0")
        if not p.is_file():        # a Hub dataset id: its name is all we can pin
            h.update(str(path).encode())
            continue
        with open(p, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
    return h.hexdigest()[:16]
