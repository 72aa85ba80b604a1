"""What a hosted studio keeps, for how long, and how much of it per owner.

  disk share     an owner's runs and kept uploads together (Policy.max_disk_mb_per_owner, or
                 $STUDIO_MAX_DISK_MB_PER_OWNER) - a new job or upload past it is refused
  janitor        every SWEEP_SECONDS: stop runs that trained longer than the policy allows,
                 delete finished anonymous runs older than the retention, and uploads older
                 than the retention that no kept run uses
  downloads      the copies the page stages for the browser (<tmp>/studio-downloads/<run>/)
                 go with their run
  leftovers      export temp folders a killed process left behind, removed at start

The web layer (components/limits.py) only words the refusal and starts the janitor.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .errors import RunError
from .runs import ACTIVE
from .uploads import UPLOADS, uploads_dir

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30
KILL_AFTER_SECONDS = 120  # a run asked to stop that is still training is killed this late
DISK_ENV = "STUDIO_MAX_DISK_MB_PER_OWNER"  # an operator's (or a test's) share, in MB
DOWNLOADS = "studio-downloads"


def folder_mb(path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                continue
    return total / 2**20


def owner_disk_mb(registry, owner: str) -> float:
    """MB an owner's runs and kept uploads take in the workspace."""
    runs = sum(folder_mb(registry.folder(r).path) for r in registry.list(1000, owner=owner))
    return runs + (folder_mb(uploads_dir(registry.workspace, owner)) if owner else 0.0)


def disk_limit_mb(policy) -> float:
    """The per-owner share in MB (0: none): $STUDIO_MAX_DISK_MB_PER_OWNER, else the policy's."""
    limit = getattr(policy, "max_disk_mb_per_owner", 0) if policy is not None else 0
    try:
        return float(os.environ.get(DISK_ENV) or limit or 0)
    except ValueError:
        return float(limit or 0)


def check_disk_share(registry, owner: str | None, policy, adding_mb: float = 0.0) -> None:
    """RunError(disk_share_full) when `owner`'s runs and uploads (plus `adding_mb`) would not
    fit their share of the disk. Local mode (owner None) and a policy without it never refuse."""
    limit = disk_limit_mb(policy)
    if owner is None or not limit:
        return
    used = owner_disk_mb(registry, owner)
    if used + adding_mb < limit:
        return
    used_mb, limit_mb = _mb(used), _mb(limit)
    raise RunError(code="disk_share_full", used=used_mb, limit=limit_mb)


def _mb(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


# ---- downloads the page staged ------------------------------------------------------------
def downloads_dir(run_id: str) -> Path:
    """Where the page stages a run's files for the browser (gradio serves only the temp and
    working folders, never the workspace)."""
    return Path(tempfile.gettempdir()) / DOWNLOADS / Path(str(run_id)).name


def drop_downloads(run_id: str, served_copy: Callable[[Path], list] | None = None) -> int:
    """Remove a run's staged downloads and, through `served_copy(file) -> paths`, the copies
    the web server made of them to serve; how many files were removed."""
    folder = downloads_dir(run_id)
    gone = 0
    for path in [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []:
        for copy in (served_copy(path) if served_copy else []) or []:
            try:
                Path(copy).unlink()
                gone += 1
            except OSError:
                pass
        gone += 1
    shutil.rmtree(folder, ignore_errors=True)
    return gone


def delete_run(registry, run_id: str, owner: str | None = None,
               served_copy: Callable[[Path], list] | None = None) -> None:
    """Delete a run (the registry checks the owner and that it is not training) and what was
    staged for downloading it, so its links stop answering."""
    registry.delete(run_id, owner=owner)
    drop_downloads(run_id, served_copy)


# ---- uploads -----------------------------------------------------------------------------
def used_inputs(registry) -> set[str]:
    """Real paths of the data files the kept runs train on (job.yaml)."""
    used = set()
    for run in registry.list(5000):
        try:
            data = registry.folder(run).config().data
        except Exception:  # noqa: BLE001 - an unreadable job keeps nothing alive
            continue
        for name in (data.train_file, getattr(data, "validation_file", "")):
            if name:
                used.add(os.path.realpath(name))
    return used


def drop_old_uploads(registry, max_age_days: float, now: float | None = None) -> list[str]:
    """Kept uploads not touched for `max_age_days` that no run uses; the files removed."""
    root = Path(registry.workspace) / UPLOADS
    if not max_age_days or not root.is_dir():
        return []
    cutoff = (now or time.time()) - max_age_days * 86400
    old = [p for p in root.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff]
    if not old:
        return []
    used = used_inputs(registry)
    removed = []
    for path in old:
        if os.path.realpath(path) in used:
            continue
        path.unlink(missing_ok=True)
        removed.append(str(path))
        for parent in (path.parent, path.parent.parent):  # <digest>/, then the owner's folder
            if parent != root:
                try:
                    parent.rmdir()
                except OSError:
                    break
    return removed


# ---- leftovers at start ------------------------------------------------------------------
def clean_at_start(registry) -> int:
    """Export temp folders left in run folders by a killed process; how many were removed."""
    from .export.leftovers import clean_exports
    if registry.read_only:
        return 0
    return sum(clean_exports(registry.folder(r).exports_dir) for r in registry.list(5000))


# ---- the janitor -------------------------------------------------------------------------
class Janitor:
    """Every SWEEP_SECONDS: stop runs that trained longer than the policy allows (asked first,
    killed KILL_AFTER_SECONDS later), delete finished anonymous runs older than the retention
    and the uploads no kept run uses. A daemon thread of the app; `sweep()` is one pass.
    `on_delete(run_id)` lets the web layer drop what it holds for a run (model cache, served
    copies of downloads)."""

    def __init__(self, registry, queue, policy, clock=time.time,
                 on_delete: Callable[[str], None] | None = None,
                 served_copy: Callable[[Path], list] | None = None):
        self.registry, self.queue, self.policy = registry, queue, policy
        self.clock, self.on_delete, self.served_copy = clock, on_delete, served_copy
        self._asked: dict[str, float] = {}
        self._stop = threading.Event()

    def start(self) -> "Janitor":
        threading.Thread(target=self._loop, name="studio-janitor", daemon=True).start()
        return self

    def close(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(SWEEP_SECONDS):
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - the janitor must outlive one bad pass
                log.exception("janitor pass failed")

    def sweep(self) -> dict:
        now, p = self.clock(), self.policy
        stopped, deleted = [], []
        for run in self.registry.list(5000):
            if p.max_train_minutes and run.status == "running":
                if now - (run.started or run.created) > p.max_train_minutes * 60:
                    asked = self._asked.get(run.id)
                    if asked is None or now - asked > KILL_AFTER_SECONDS:
                        self._asked[run.id] = now
                        self.queue.stop(run.id)
                        stopped.append(run.id)
                        log.info("Run %s was stopped: a job may train for at most %s minutes "
                                 "on this studio.", run.id, p.max_train_minutes)
            elif p.anonymous_retention_days and (run.owner or "").startswith("anon:") and \
                    run.status not in ACTIVE and \
                    now - run.created > p.anonymous_retention_days * 86400:
                try:
                    delete_run(self.registry, run.id, run.owner, self.served_copy)
                    if self.on_delete:
                        self.on_delete(run.id)
                    deleted.append(run.id)
                except Exception:  # noqa: BLE001 - e.g. it started again meanwhile
                    log.exception("could not remove old run %s", run.id)
        uploads = drop_old_uploads(self.registry, p.anonymous_retention_days, now)
        return {"stopped": stopped, "deleted": deleted, "uploads": uploads}
