"""Which address a request comes from, trusting `X-Forwarded-For` only from known proxies.

Any client can send `X-Forwarded-For: <victim's address>`. Trusting it from everyone let a
cookie-less attacker act as a cookie-less victim (list and stop their runs) and spread password
guesses over made-up addresses. So the header counts only when the socket's peer is a
configured proxy, and then only up to the first hop that is not itself a proxy (the rightmost
untrusted address: whatever a client wrote further left is its own claim).

The proxies come from `--trusted-proxy ADDR[,ADDR]` (app.py puts them in
`$STUDIO_TRUSTED_PROXIES`); each is an address or a network (`10.0.0.0/8`). `none` trusts no
one. With no setting: nobody off a Space; on a Hugging Face Space (`SPACE_ID`) the private
networks (10/8, 172.16/12, 192.168/16, fc00::/7), from which the Space's own proxy reaches the
container; loopback is never trusted unless named, so a request made on the machine itself
(or through a tunnel that ends there) is known by its real peer.
"""
from __future__ import annotations

import functools
import ipaddress
import logging
import os

ENV = "STUDIO_TRUSTED_PROXIES"
SPACE_DEFAULT = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
log = logging.getLogger(__name__)


def parse(text: str) -> list:
    """Networks from `ADDR[,ADDR]`; an entry that is not an address is skipped with a log."""
    nets = []
    for item in (text or "").replace(" ", ",").split(","):
        item = item.strip()
        if not item or item.lower() == "none":
            continue
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            log.warning("Ignoring trusted proxy %r: not an address or network.", item)
    return nets


def configured(environ=None) -> list:
    """The trusted proxies of this process (see the module's note for the defaults)."""
    env = os.environ if environ is None else environ
    return list(_networks(env.get(ENV) or "", bool(env.get("SPACE_ID"))))


@functools.lru_cache(maxsize=8)  # read on every request: parse each setting once
def _networks(text: str, on_space: bool) -> tuple:
    if not text.strip():
        return tuple(parse(",".join(SPACE_DEFAULT))) if on_space else ()
    return tuple(parse(text))


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted(address: str, proxies: list) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip.version == n.version and ip in n for n in proxies)


def client_address(forwarded_for: str, peer: str, proxies: list | None = None) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the rightmost
    hop of X-Forwarded-For that is not a trusted proxy."""
    proxies = configured() if proxies is None else proxies
    address = peer or "unknown"
    if not forwarded_for or not is_trusted(address, proxies):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if _ip(hop) is None:  # garbage in the header: stop at the last address we know
            return address
        address = hop
        if not is_trusted(hop, proxies):
            return hop
    return address


def server_setting(environ=None) -> str:
    """The same list for the web server (uvicorn's FORWARDED_ALLOW_IPS): left at its default
    it rewrites the peer from X-Forwarded-For for any request made from 127.0.0.1, before
    the studio sees it, which let anyone reaching the app locally (or through a tunnel that
    ends there) claim any address."""
    return ",".join(str(n) for n in configured(environ))
