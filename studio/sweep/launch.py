"""Starting a sweep on the launcher's JobQueue, and the small driver that watches it.

All candidates are checked first (`candidates.prepare`); then they are queued in order, so the
queue trains them one after another like any runs. Hosted, an owner may have only a few jobs
queued or training (`hosting.Policy.max_jobs_per_owner`): the driver then queues each next
candidate when a slot frees up. With a time budget the driver measures the first candidate's
speed and cancels the candidates that would end past the budget, saying why.
"""
from __future__ import annotations

import logging
import threading
import time

from .. import events as ev
from .. import hosting
from ..config import JobConfig
from ..errors import RunError, StudioError
from ..runs import ACTIVE
from . import budget, manifest
from .candidates import prepare
from .manifest import Entry, Sweep

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


def start(queue, base: JobConfig, grid: dict[str, list[str]], owner: str = "",
          budget_minutes: float | None = None, preview=None, drive: bool = True,
          address: str | None = None) -> Sweep:
    """Check every candidate, queue them for `owner`, and watch them in a background thread
    (`drive=False`: the caller ticks a `Driver` itself). Raises the first StudioError, before
    anything is queued."""
    if budget_minutes is not None and not budget_minutes > 0:
        from ..errors import ConfigError
        raise ConfigError(code="sweep_budget", value=budget_minutes)
    sweep = Sweep(manifest.new_sweep_id(), owner=owner or "", created=time.time(),
                  budget_minutes=budget_minutes)
    sweep.entries = [Entry(c.name, c.total_steps, c.cfg.to_dict())
                     for c in prepare(base, grid, sweep.id, preview)]
    driver = Driver(queue, sweep)
    first = sweep.entries[0]
    # A refusal ends it here; the first candidate takes a queue place of the visitor's
    # `address` (studio.queue_rules), the later ones are fed within the owner's job limit.
    first.run_id = queue.submit(first.job(), owner=sweep.owner, address=address).id
    driver.feed()
    driver.save()
    if drive:
        threading.Thread(target=driver.run, name=f"sweep {sweep.id}", daemon=True).start()
    return sweep


class Driver:
    """Feeds queued candidates (hosted limits) and applies the budget, one tick at a time."""

    def __init__(self, queue, sweep: Sweep, clock=time.time, speed_of=None):
        self.queue, self.sweep, self.clock = queue, sweep, clock
        self.registry = queue.registry
        # How fast the first candidate trains; a test hands in a fixed speed.
        self.speed_of = speed_of or (lambda entry: budget.measure(self._events(entry)))

    def save(self) -> None:
        manifest.save(self.registry.workspace, self.sweep)

    def run(self) -> None:
        while True:
            try:
                if self.tick():
                    self.sweep.finished = True  # a restarted app has nothing to re-arm
                    self.save()
                    return
            except Exception:  # noqa: BLE001 - the runs go on; only the watching stops
                log.exception("sweep %s: the driver stopped", self.sweep.id)
                return
            time.sleep(TICK_SECONDS)

    def tick(self) -> bool:
        """One look: apply the budget, queue what may be queued; True once all are over."""
        self.apply_budget()
        self.feed()
        self.save()
        runs = [self.registry.get(e.run_id) for e in self.sweep.entries if e.run_id]
        pending = [e for e in self.sweep.entries if not e.run_id and not e.skipped]
        return not pending and all(r is None or r.status not in ACTIVE for r in runs)

    # ---- queueing ------------------------------------------------------------------------
    def feed(self) -> None:
        """Queue the next candidates while the owner's job limit allows (no limit: all)."""
        for entry in self.sweep.entries:
            if entry.run_id or entry.skipped:
                continue
            if not self._slot_free():
                return
            try:
                entry.run_id = self.queue.submit(entry.job(), owner=self.sweep.owner).id
            except RunError as e:
                if e.code == "owner_job_limit":  # raced another job of this owner; next tick
                    return
                self._refused(entry, e)
            except StudioError as e:  # e.g. the disk is full now: say so on the candidate
                self._refused(entry, e)

    def _refused(self, entry: Entry, error: StudioError) -> None:
        """A candidate the queue refused is recorded as a stopped run with the reason, so the
        sweep never shows it "not queued" forever."""
        entry.run_id = self.registry.new_run(entry.job(), status="stopped",
                                             owner=self.sweep.owner).id
        reason = f"Not started: {error}"
        self.registry.update(entry.run_id, status="stopped", reason=reason)
        entry.skipped = reason
        log.warning("sweep %s: candidate %s not started: %s", self.sweep.id, entry.name, error)

    def _slot_free(self) -> bool:
        limit = hosting.current().max_jobs_per_owner
        if not limit or not self.sweep.owner:
            return True
        return len(self.registry.active(self.sweep.owner)) < limit

    # ---- the time budget -----------------------------------------------------------------
    def apply_budget(self) -> None:
        sweep = self.sweep
        if not sweep.budget_minutes or not sweep.entries[0].run_id:
            return
        speed = self.speed_of(sweep.entries[0])
        if speed is None or speed.steps_per_second <= 0:
            return
        running_left, queued = 0.0, []
        for i, entry in enumerate(sweep.entries):
            if entry.skipped:
                continue
            run = self.registry.get(entry.run_id) if entry.run_id else None
            if run is not None and run.status == "running":
                running_left += max(0, entry.total_steps - self._step(entry)) / \
                    speed.steps_per_second
            elif run is None or run.status == "queued":
                queued.append((str(i), entry.total_steps))
        cut, estimate = budget.over_budget(sweep.budget_minutes * 60,
                                           self.clock() - sweep.created, running_left, queued,
                                           speed)
        if not cut:
            return
        reason = budget.skip_reason(sweep.budget_minutes)
        for index in cut:
            self._skip(sweep.entries[int(index)], reason)
        skipped = sum(1 for e in sweep.entries if e.skipped)
        sweep.note = budget.sentence(sweep.budget_minutes, estimate, speed, skipped)
        sweep.note_params = budget.sentence_params(sweep.budget_minutes, estimate, speed,
                                                   skipped)
        log.info("sweep %s: %s", sweep.id, sweep.note)

    def _skip(self, entry: Entry, reason: str) -> None:
        """Cancel a queued candidate (or record one never queued) with the budget's reason,
        so `runs` lists it as stopped and says why."""
        if not entry.run_id:
            entry.run_id = self.registry.new_run(entry.job(), status="stopped",
                                                 owner=self.sweep.owner).id
        else:
            self.queue.stop(entry.run_id)
        self.registry.update(entry.run_id, status="stopped", reason=reason)
        entry.skipped = reason

    def _events(self, entry: Entry) -> list[dict]:
        return ev.read_all(self.registry.folder(entry.run_id).events_file) \
            if entry.run_id else []

    def _step(self, entry: Entry) -> int:
        logs = [e for e in self._events(entry) if e.get("type") == "log"]
        return int(logs[-1].get("step") or 0) if logs else 0


def rearm(queue, clock=time.time, drive: bool = True) -> list[Driver]:
    """At app start: a driver again for every sweep a previous app left unfinished (killed,
    restarted), so its candidates not yet queued get queued and its time budget - counted
    from the sweep's start, the downtime included - still stops the ones past it. One tick
    now, before any request; `drive=False` leaves the ticking to the caller (tests)."""
    drivers = []
    for sweep in manifest.unfinished(queue.registry.workspace):
        driver = Driver(queue, sweep, clock=clock)
        try:
            if driver.tick():
                sweep.finished = True
                driver.save()
                continue
        except Exception:  # noqa: BLE001 - one damaged sweep must not stop the app
            log.exception("sweep %s could not be re-armed", sweep.id)
            continue
        log.info("sweep %s: re-armed after a restart", sweep.id)
        drivers.append(driver)
        if drive:
            threading.Thread(target=driver.run, name=f"sweep {sweep.id}", daemon=True).start()
    return drivers
