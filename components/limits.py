"""Hosted limits the engine does not enforce yet, kept by the web layer through the engine's
own calls (registry.list / delete, queue.stop): disk per owner (checked before a job is
submitted), training time per job and the removal of old anonymous runs (a janitor thread).

When the engine grows these (a deadline in the training child, a registry sweep), this module
shrinks to nothing.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from .guard import is_anonymous
from .i18n import tr

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30
LOG_LANG = "en"           # the server log is English
KILL_AFTER_SECONDS = 120  # a run asked to stop that is still training is killed this late


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
    return sum(folder_mb(registry.folder(r).path) for r in registry.list(1000, owner=owner))


def disk_refusal(registry, owner, policy, lang: str) -> str:
    """The sentence refusing a new job when `owner`'s runs already fill their share of the
    disk, else "". Local mode (owner None) and a policy without the limit never refuse."""
    limit = getattr(policy, "max_disk_mb_per_owner", 0) if policy is not None else 0
    if owner is None or not limit:
        return ""
    used = owner_disk_mb(registry, owner)
    if used < limit:
        return ""
    return tr(lang, "limit_disk", used=f"{used:,.0f}", limit=f"{limit:,}")


class Janitor:
    """Every SWEEP_SECONDS: stop runs that trained longer than the policy allows (asked first,
    killed KILL_AFTER_SECONDS later) and delete finished anonymous runs older than the
    retention. Runs in a daemon thread of the app; `sweep()` is one pass (tests call it)."""

    def __init__(self, registry, queue, cache, policy, clock=time.time):
        self.registry, self.queue, self.cache, self.policy = registry, queue, cache, policy
        self.clock = clock
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
                began = run.started or run.created
                if now - began > p.max_train_minutes * 60:
                    asked = self._asked.get(run.id)
                    if asked is None or now - asked > KILL_AFTER_SECONDS:
                        self._asked[run.id] = now
                        self.queue.stop(run.id)
                        stopped.append(run.id)
                        log.info(tr(LOG_LANG, "limit_time_stopped", run=run.id,
                                    minutes=p.max_train_minutes))
            elif p.anonymous_retention_days and is_anonymous(run.owner) and \
                    run.status not in ("queued", "running") and \
                    now - run.created > p.anonymous_retention_days * 86400:
                try:
                    self.registry.delete(run.id, owner=run.owner)
                    self.cache.drop(run.id)
                    deleted.append(run.id)
                except Exception:  # noqa: BLE001 - e.g. it started again meanwhile
                    log.exception("could not remove old run %s", run.id)
        return {"stopped": stopped, "deleted": deleted}
