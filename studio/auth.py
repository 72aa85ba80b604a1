"""Logins for a shared studio: where the passwords come from, and a guard against guessing.

Passwords come from `STUDIO_AUTH` (`user:pass[,user2:pass2]`), a file (`--auth-file`, one
`user:pass` per line), or `--auth user:pass` for quick local use (visible to other users of
the machine in `ps`, so the app warns). Wrong passwords are limited per client: after
`free_failures` within `window` seconds each further try waits longer (doubling up to
`max_delay`), without slowing anybody else down.
"""
from __future__ import annotations

import hmac
import threading
from collections import deque
import time
from pathlib import Path

from .errors import ConfigError


def parse_pairs(text: str, where: str) -> dict[str, str]:
    users = {}
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        if ":" not in item:
            raise ConfigError(code="auth_no_colon", where=where, item=item[:20])
        user, password = item.split(":", 1)
        if not user or not password:
            raise ConfigError(code="auth_format", where=where)
        users[user] = password
    return users


def load_users(arg: str = "", file: str = "", environ=None) -> dict[str, str]:
    """Every login, from the command line, a file and $STUDIO_AUTH together."""
    import os
    env = os.environ if environ is None else environ
    users = {}
    if env.get("STUDIO_AUTH"):
        users.update(parse_pairs(env["STUDIO_AUTH"], "STUDIO_AUTH"))
    if file:
        try:
            users.update(parse_pairs(Path(file).read_text(encoding="utf-8"), file))
        except OSError:
            raise ConfigError(code="auth_file", file=file) from None
    if arg:
        users.update(parse_pairs(arg, "--auth"))
    return users


class LoginGuard:
    """Checks passwords in constant time and decides when each try may be checked.

    Failures are counted three ways within `window` seconds: per account from one address
    (after `free_failures` each try waits 1 s, 2 s, 4 s, ... up to `max_delay`), per address
    over all accounts (spraying; `free_address` failures first) and per account over all
    addresses (guessing from many addresses; `free_account` failures first). A try counts from
    the moment it arrives, so concurrent tries do not all wait one shared delay: each takes the
    next slot after the one before it, and a try whose slot is more than `max_wait` seconds
    away is refused unchecked. A success clears only the failures of that account from that
    address; an honest user of another account behind the same address waits only once the
    address itself is over `free_address` failures.
    """

    def __init__(self, users: dict[str, str], free_failures: int = 5, window: float = 60.0,
                 max_delay: float = 30.0, clock=time.monotonic, free_address: int = 20,
                 free_account: int = 20, max_wait: float = 120.0):
        self.users = dict(users)
        self.free_failures, self.window, self.max_delay = free_failures, window, max_delay
        self.free_address, self.free_account, self.max_wait = free_address, free_account, \
            max_wait
        self.clock = clock
        self._failures: deque[tuple[float, str, str]] = deque()  # (time, address, account)
        self._pending: dict[tuple, int] = {}  # tries admitted and not yet checked, per key
        self._next: dict[tuple, float] = {}   # when the next try on a throttled key may run
        self._lock = threading.Lock()

    def _keys(self, client: str, user: str) -> list[tuple[tuple, int]]:
        return [(("pair", client, user), self.free_failures),
                (("addr", client), self.free_address), (("acct", user), self.free_account)]

    def _count(self, key: tuple) -> int:
        kind = key[0]
        if kind == "pair":
            return sum(1 for _, a, u in self._failures if a == key[1] and u == key[2])
        if kind == "addr":
            return sum(1 for _, a, _u in self._failures if a == key[1])
        return sum(1 for _, _a, u in self._failures if u == key[1])

    def _prune(self) -> None:
        now = self.clock()
        while self._failures and (now - self._failures[0][0] >= self.window
                                  or len(self._failures) > 50_000):  # bounded memory
            self._failures.popleft()
        for key in [k for k, t in self._next.items() if t < now - self.window]:
            del self._next[key]

    def _slot(self, client: str, user: str, reserve: bool) -> float:
        """When a try by `client` on `user` may be checked; with `reserve` it takes that slot."""
        self._prune()
        now = start = self.clock()
        throttled = []
        for key, free in self._keys(client, user):
            extra = self._count(key) + self._pending.get(key, 0) - free
            if extra >= 0:
                delay = min(self.max_delay, 2.0 ** extra)
                start = max(start, max(now, self._next.get(key, now)) + delay)
                throttled.append(key)
        if reserve and start - now <= self.max_wait:
            for key in throttled:
                self._next[key] = start
        return start - now

    def delay(self, client: str, user: str = "") -> float:
        """Seconds a try by this client on `user` would wait now (0 = at once); takes no slot."""
        with self._lock:
            return self._slot(client, user, reserve=False)

    def admit(self, client: str, user: str) -> float | None:
        """A try arrives: the seconds it waits before `check`, or None when it is refused
        unchecked (its slot is too far away). Every admitted try must end with `check`."""
        with self._lock:
            wait = self._slot(client, user, reserve=True)
            if wait > self.max_wait:
                return None
            for key, _ in self._keys(client, user):
                self._pending[key] = self._pending.get(key, 0) + 1
            return wait

    def check(self, client: str, user: str, password: str, admitted: bool = False) -> bool:
        expected = self.users.get(user, "")
        ok = hmac.compare_digest(expected.encode(), (password or "").encode()) and bool(expected)
        with self._lock:
            if admitted:
                for key, _ in self._keys(client, user):
                    left = self._pending.get(key, 0) - 1
                    if left > 0:
                        self._pending[key] = left
                    else:
                        self._pending.pop(key, None)
            if ok:  # this account from this address starts afresh; nobody else's count moves
                self._failures = deque(f for f in self._failures
                                       if not (f[1] == client and f[2] == user))
                self._next.pop(("pair", client, user), None)
            else:
                self._failures.append((self.clock(), client, user))
        return ok
