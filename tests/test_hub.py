"""studio.hub: whether the Hugging Face Hub can be used, answered quickly."""
import socket

import pytest

from studio.hub import hub_offline, hub_reachable

PROXIES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def online(monkeypatch):
    """An environment with the Hub switched on and no proxy."""
    for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", *PROXIES):
        monkeypatch.delenv(k, raising=False)
    return monkeypatch


@pytest.mark.parametrize("name", ["HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"])
@pytest.mark.parametrize("value, off", [("1", True), ("true", True), (" YES ", True),
                                        ("on", True), ("0", False), ("", False)])
def test_offline_switches(online, name, value, off):
    online.setenv(name, value)
    assert hub_offline() is off


def test_switched_off_is_unreachable_even_behind_a_proxy(online):
    online.setenv("HF_HUB_OFFLINE", "1")
    online.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert hub_reachable() is False


@pytest.mark.parametrize("name", PROXIES)
def test_a_proxy_is_trusted_to_reach_the_hub(online, name):
    online.setenv("HF_ENDPOINT", "https://127.0.0.1:1")  # would fail if it were tried
    online.setenv(name, "http://proxy.invalid:3128")
    assert hub_reachable() is True


def test_a_listening_endpoint_is_reachable_and_a_closed_one_is_not(online):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        online.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
        assert hub_reachable(timeout=2) is True
    online.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")  # now closed
    assert hub_reachable(timeout=2) is False
