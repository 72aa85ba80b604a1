"""Export temp folders a killed process left behind in a run's `exports/`.

An export is built in `.tmp-<format>-<pid>-<hex>` and swapped into place (the old one renamed
`.old-<format>-<hex>` and removed); the page zips a folder export through `.<name>.zip-<hex>`.
A process killed midway leaves these forever, each as large as a model: they are removed when
their writer is gone - at app start and before each export.
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)
STALE_SECONDS = 86400  # a temp name without a pid (or a reused pid) this old is abandoned


def _writer_alive(name: str) -> bool:
    """Whether the process named in `.tmp-<format>-<pid>-<hex>` still runs."""
    parts = name.rsplit("-", 2)
    if not name.startswith(".tmp-") or len(parts) != 3 or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return True  # an export of this process, in another thread
    from ..processes import pid_alive
    return pid_alive(pid)


def clean_exports(exports_dir: Path, now: float | None = None) -> int:
    """Remove abandoned temp folders and files in `exports_dir`; how many were removed."""
    folder = Path(exports_dir)
    if not folder.is_dir():
        return 0
    now = now or time.time()
    removed = 0
    for path in folder.iterdir():
        name = path.name
        if not name.startswith("."):
            continue
        try:
            age = now - path.lstat().st_mtime
        except OSError:
            continue
        if name.startswith(".tmp-"):
            abandoned = not _writer_alive(name) or age > STALE_SECONDS
        elif name.startswith(".old-"):
            abandoned = True  # the swap that renamed it removes it a moment later
        else:
            abandoned = ".zip-" in name and age > 600  # the page's zip, written in seconds
        if not abandoned:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed += 1
        log.info("Removed an abandoned export temp %s", path)
    return removed
