"""Local or hosted, and what each may do.

Local mode trusts its one user (an analyst on their own machine). Hosted mode (a Space, a
shared server, `--share`) treats every request as a stranger's: model names are presets or Hub
ids only, no model code runs, data comes only from this session's uploads, and every job has
limits. The mode is decided once by the app and handed to training children through the
environment (`STUDIO_HOSTED=1`), so a crafted job file is refused in the child too.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

from .errors import ConfigError, ModelError

HOSTED_ENV = "STUDIO_HOSTED"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


def detect_hosted(host: str = "127.0.0.1", share: bool = False, flag: bool = False,
                  environ=None) -> bool:
    """Hosted when asked, on a Space, shared publicly, or listening beyond localhost."""
    env = os.environ if environ is None else environ
    return bool(flag or share or env.get("SPACE_ID") or host not in LOCAL_HOSTS
                or env.get(HOSTED_ENV, "") == "1")


@dataclass(frozen=True)
class Policy:
    """What a session may do. Sizes in MB, times in minutes; 0 means no limit."""
    hosted: bool = False
    max_upload_mb: int = 200
    max_rows: int = 0
    max_jobs_per_owner: int = 0
    max_train_minutes: int = 0
    max_disk_mb_per_owner: int = 0
    anonymous_retention_days: int = 0

    @classmethod
    def local(cls, **overrides) -> "Policy":
        return replace(cls(), **overrides)

    @classmethod
    def hosted_defaults(cls, **overrides) -> "Policy":
        return replace(cls(hosted=True, max_upload_mb=50, max_rows=20_000, max_jobs_per_owner=1,
                           max_train_minutes=30, max_disk_mb_per_owner=2_000,
                           anonymous_retention_days=7), **overrides)


def current() -> Policy:
    """The policy of this process: hosted when the app said so through the environment."""
    return Policy.hosted_defaults() if os.environ.get(HOSTED_ENV) == "1" else Policy.local()


def check_model_name(name: str, policy: Policy, presets=()) -> None:
    """Hosted: a preset (a name in `presets`) or a Hub id, nothing else. The message is the
    same whether or not a folder of that name exists on the server, so it reveals nothing."""
    if not policy.hosted or name in presets:
        return
    if not HUB_ID.match(name or "") or ".." in name:
        raise ModelError(code="hosted_model_name", name=name)


def check_job(cfg, policy: Policy, presets=()) -> None:
    """What a hosted job may not ask for, refused before any file or model is read."""
    if not policy.hosted:
        return
    if cfg.model.trust_remote_code:
        raise ConfigError(code="hosted_remote_code")
    check_model_name(cfg.model.name, policy, presets)
    if policy.max_rows and (cfg.data.max_rows == 0 or cfg.data.max_rows > policy.max_rows):
        cfg.data.max_rows = policy.max_rows  # said on the page next to the limit


def child_environment(environ: dict, keep_hub_token: bool) -> dict:
    """Kept for callers of round one: the allow-list of studio.child_env, in local terms
    (the Hub token when `keep_hub_token`). New code calls studio.child_env directly."""
    from .child_env import child_environment as allow_listed
    return allow_listed(False, None, needs_hub=keep_hub_token, environ=environ)
