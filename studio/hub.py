"""Is the Hugging Face Hub usable right now? One answer for models and datasets alike.

A quick check, so a machine without network fails in seconds with the offline choices instead
of after transformers' or datasets' long retries.
"""
from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

_TRUE = ("1", "true", "yes", "on")


def hub_offline() -> bool:
    """The user switched the Hub off (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE)."""
    return any(os.environ.get(k, "").strip().lower() in _TRUE
               for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def hub_reachable(timeout: float = 3.0) -> bool:
    """False when switched off or when a TCP connection to the endpoint fails. Behind a proxy
    a direct connection proves nothing, so the proxy is trusted to reach it."""
    if hub_offline():
        return False
    if any(os.environ.get(k) for k in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        with socket.create_connection((url.hostname or "", url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False
