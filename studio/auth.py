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
            raise ConfigError(f"{where} must hold user:password pairs; '{item[:20]}' has no "
                              f"colon.", "auth_format", where=where)
        user, password = item.split(":", 1)
        if not user or not password:
            raise ConfigError(f"{where} has an empty user name or password.", "auth_format",
                              where=where)
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
            raise ConfigError(f"The login file {file} cannot be read; check the path.",
                              "auth_file", file=file) from None
    if arg:
        users.update(parse_pairs(arg, "--auth"))
    return users


class LoginGuard:
    """Checks passwords in constant time and says how long a client must wait first."""

    def __init__(self, users: dict[str, str], free_failures: int = 5, window: float = 60.0,
                 max_delay: float = 30.0, clock=time.monotonic):
        self.users = dict(users)
        self.free_failures, self.window, self.max_delay = free_failures, window, max_delay
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def delay(self, client: str) -> float:
        """Seconds this client waits before its next try is checked (0 = at once)."""
        with self._lock:
            recent = self._recent(client)
            extra = len(recent) - self.free_failures
            return 0.0 if extra < 0 else min(self.max_delay, 2.0 ** extra)

    def check(self, client: str, user: str, password: str) -> bool:
        expected = self.users.get(user, "")
        ok = hmac.compare_digest(expected.encode(), (password or "").encode()) and bool(expected)
        with self._lock:
            if ok:
                self._failures.pop(client, None)
            else:
                self._recent(client).append(self.clock())
        return ok

    def _recent(self, client: str) -> list[float]:
        now = self.clock()
        kept = [t for t in self._failures.get(client, []) if now - t < self.window]
        self._failures[client] = kept
        if len(self._failures) > 10_000:  # bounded memory under a flood of clients
            for key in list(self._failures)[:5_000]:
                self._failures.pop(key, None)
        return kept
