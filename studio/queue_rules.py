"""Fair places in a hosted queue: per client address and in total, not per cookie.

One job per owner is not enough on a hosted studio: an anonymous owner is a cookie, and a
script gets a fresh cookie per request (12 cookies queued 12 long jobs in 36 s and the honest
visitor waited behind all of them). So a visitor's job is also refused when

- the line already holds `max_queued` jobs (all owners together), or
- its client address (studio.proxies: the peer, or the hop a trusted proxy saw) already has
  `max_per_address` jobs queued or training;

and a queued job whose owner left (no page polled any of the owner's runs for
`owner_timeout` seconds) is dropped from the line with its reason recorded in the run.

Jobs queued by the engine itself (a sweep's later candidates, fed one at a time within the
owner's job limit) come with no address: they are counted under the address their owner last
submitted from, never refused here, and never dropped as abandoned (the sweep's own budget
and the owner's job limit bound them).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from .errors import RunError

OWNER_LEFT = ("Dropped from the queue: its owner left (no page followed it for {minutes} "
              "minutes); start it again when you are back.")


@dataclass(frozen=True)
class QueueRules:
    """0 means no limit (local mode)."""
    max_queued: int = 0
    max_per_address: int = 0
    owner_timeout: float = 0.0

    @classmethod
    def hosted_defaults(cls, **overrides) -> "QueueRules":
        values = {"max_queued": 8, "max_per_address": 2, "owner_timeout": 600.0, **overrides}
        return cls(**values)


class QueueBook:
    """What the rules need to remember: each job's address, each owner's last poll, and the
    places taken by submissions still being written (so concurrent submits cannot all pass)."""

    def __init__(self, rules: QueueRules | None = None, clock=time.monotonic):
        self.rules = rules or QueueRules()
        self.clock = clock
        self._address: dict[str, str] = {}        # run id -> client address
        self._owner_address: dict[str, str] = {}  # owner -> address of their last submit
        self._seen: dict[str, float] = {}         # owner -> last poll or submit
        self._followed: dict[str, str] = {}       # run id -> owner, for runs that may be dropped
        self._pending: list[str] = []             # addresses of admitted, unwritten submits
        self._lock = threading.Lock()

    def admit(self, address: str | None, owner: str, waiting: int, active) -> str | None:
        """Take a place for a submit from `address`, or raise RunError with the reason.
        `waiting`: jobs in line now; `active(run_id)`: whether a job is queued or training.
        Returns a ticket for `placed` / `cancel`."""
        if not address:
            return None
        rules = self.rules
        with self._lock:
            if rules.max_queued and waiting + len(self._pending) >= rules.max_queued:
                raise RunError(code="queue_full", limit=rules.max_queued)
            if rules.max_per_address:
                mine = [rid for rid, a in list(self._address.items()) if a == address]
                gone = [rid for rid in mine if not active(rid)]
                for rid in gone:
                    self._address.pop(rid, None)
                    self._followed.pop(rid, None)
                count = len(mine) - len(gone) + self._pending.count(address)
                if count >= rules.max_per_address:
                    raise RunError(code="address_job_limit", count=count,
                                   limit=rules.max_per_address)
            self._pending.append(address)
            self._owner_address[owner] = address
            self._seen[owner] = self.clock()
        return address

    def cancel(self, ticket: str | None) -> None:
        if ticket is not None:
            with self._lock:
                self._pending.remove(ticket)

    def placed(self, ticket: str | None, run_id: str, owner: str) -> None:
        """The submit wrote its run: the place becomes the run's."""
        with self._lock:
            if ticket is not None:
                self._pending.remove(ticket)
                self._address[run_id] = ticket
                if owner and self.rules.owner_timeout:
                    self._followed[run_id] = owner
            elif owner in self._owner_address:  # engine-fed: counted, never refused
                self._address[run_id] = self._owner_address[owner]

    def seen(self, owner: str) -> None:
        """The owner's page polled one of their runs."""
        if owner:
            with self._lock:
                self._seen[owner] = self.clock()

    def abandoned(self, waiting: list[str]) -> list[str]:
        """Queued runs (of `waiting`) whose owner has not been seen for owner_timeout."""
        timeout = self.rules.owner_timeout
        if not timeout:
            return []
        now = self.clock()
        with self._lock:
            return [rid for rid in waiting if rid in self._followed
                    and now - self._seen.get(self._followed[rid], now) > timeout]

    def forget(self, run_id: str) -> None:
        with self._lock:
            self._address.pop(run_id, None)
            self._followed.pop(run_id, None)
