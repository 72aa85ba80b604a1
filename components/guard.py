"""Who is asking: the web layer's part of hosted mode.

Every browser gets a random, server-issued cookie; the uploads it sends are recorded against
it (studio.uploads.UploadBook), and on a hosted studio its runs are owned by it (or by the
login, when there is one). A client that sends no cookie (a script) is known by its address
instead, so it can still use what it uploaded itself and nothing else. Login attempts are
slowed per client by studio.auth.LoginGuard.
"""
from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import os
import secrets
from http.cookies import SimpleCookie

COOKIE = "studio_client"
CLIENT_ADDR: contextvars.ContextVar[str] = contextvars.ContextVar("studio_addr", default="")


def client_address(headers: dict, peer: str) -> str:
    """The client's address: the socket's peer, or, when the peer is a trusted proxy
    (studio.proxies: --trusted-proxy, or a Space's own proxy), the hop that proxy saw."""
    from studio.proxies import client_address as trusted_address
    return trusted_address(headers.get("x-forwarded-for", ""), peer)


def client_key(headers: dict, peer: str) -> str:
    """The cookie's value, or the address for a client that keeps no cookie."""
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # noqa: BLE001 - a malformed cookie header is just no cookie
        pass
    value = jar[COOKIE].value if COOKIE in jar else ""
    if len(value) >= 32 and value.replace("-", "").replace("_", "").isalnum():
        return "c:" + value
    return "addr:" + client_address(headers, peer)


def request_key(request) -> str:
    """client_key for a gr.Request (or None: a direct call, as in tests)."""
    if request is None:
        return "addr:local"
    headers = {k.lower(): v for k, v in dict(getattr(request, "headers", {}) or {}).items()}
    client = getattr(request, "client", None)
    return client_key(headers, getattr(client, "host", "") or "")


def request_address(request) -> str | None:
    """The client address of a gr.Request (studio.proxies' rule), None for a direct call."""
    if request is None:
        return None
    headers = {k.lower(): v for k, v in dict(getattr(request, "headers", {}) or {}).items()}
    client = getattr(request, "client", None)
    return client_address(headers, getattr(client, "host", "") or "")


def owner_of(request, hosted: bool) -> str | None:
    """The owner a request acts as: None in local mode (one trusted user sees every run);
    on a hosted studio the login (a password login or a Hugging Face sign-in), else a hash
    of the browser's key."""
    if not hosted:
        return None
    user = getattr(request, "username", None) if request is not None else None
    if user:
        return "user:" + str(user)
    hf_user = oauth_user(request)
    if hf_user:
        return "hf:" + hf_user
    return "anon:" + hashlib.sha256(request_key(request).encode()).hexdigest()[:24]


def oauth_user(request) -> str:
    """The Hugging Face account of a Space visitor signed in with gr.LoginButton (the session
    gradio keeps when the Space has `hf_oauth: true`), else ""."""
    try:
        info = request.session.get("oauth_info") or {}
    except Exception:  # noqa: BLE001 - no session middleware: no OAuth on this server
        return ""
    return str((info.get("userinfo") or {}).get("preferred_username") or "")


def is_anonymous(owner: str | None) -> bool:
    return bool(owner) and owner.startswith("anon:")


class Guard:
    """ASGI middleware: issue the cookie, note the address, record uploads per client, and
    answer an upload over the size limit with the studio's sentence instead of gradio's."""

    def __init__(self, app, book=None, max_upload_mb: int = 0):
        self.app, self.book, self.max_upload_mb = app, book, max_upload_mb

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        peer = (scope.get("client") or ("", 0))[0]
        key = client_key(headers, peer)
        fresh = not key.startswith("c:")
        # Gradio's session state is found by a hash the client chose: scope it to this client
        # (components/session_scope.py), so a replayed hash opens an empty session.
        from . import session_scope
        if session_scope.refused_body(scope):
            return await plain_answer(send, 415, "This request's form is not accepted here.")
        client_tag = session_scope.tag(key)
        scope = session_scope.rewrite_scope(scope, client_tag)
        if scope.get("method") == "POST" and session_scope.is_json(scope):
            scope, receive = await session_scope.rewrite_body(scope, receive, client_tag)
        token = CLIENT_ADDR.set(client_address(headers, peer))
        is_upload = scope.get("method") == "POST" and scope.get("path", "").endswith("/upload")
        body: list[bytes] = []
        held: list[dict] = []  # the start of a 413 answer, sent again with the new body

        async def relay(message):
            if message["type"] == "http.response.start" and fresh:
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", new_cookie())]}
            if is_upload and message["type"] == "http.response.start" and \
                    message.get("status") == 413:
                held.append(message)
                return
            if held and message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                text = too_large_text(headers, self.max_upload_mb).encode()
                start = held.pop()
                kept = [(k, v) for k, v in start.get("headers", [])
                        if k.lower() not in (b"content-length", b"content-type")]
                await send({**start, "headers": [*kept, (b"content-length",
                                                         str(len(text)).encode()),
                                                 (b"content-type",
                                                  b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": text})
                return
            if is_upload and self.book is not None and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body"):
                    record_upload(self.book, b"".join(body), key)
            await send(message)

        try:
            await self.app(scope, receive, relay)
        finally:
            CLIENT_ADDR.reset(token)


async def plain_answer(send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def too_large_text(headers: dict, limit_mb: int) -> str:
    """The sentence for an upload over the size limit, in the browser's language."""
    from .i18n import tr
    lang = "zh-CN" if headers.get("accept-language", "").lower().startswith("zh") else "en"
    return tr(lang, "upload_too_large", limit=limit_mb or "?")


def new_cookie() -> bytes:
    on_space = bool(os.environ.get("SPACE_ID"))  # a Space embeds the app in an iframe
    same_site = "None; Secure" if on_space else "Lax"
    return (f"{COOKIE}={secrets.token_urlsafe(32)}; Path=/; Max-Age=31536000; HttpOnly; "
            f"SameSite={same_site}").encode()


def record_upload(book, raw: bytes, key: str) -> None:
    try:
        paths = json.loads(raw)
    except ValueError:
        return
    if isinstance(paths, list):
        for p in paths:
            if isinstance(p, str):
                book.record(p, key)


def login_checker(guard):
    """The `auth` callable for launch(): slow per client, never blocking the server."""
    async def check(username: str, password: str) -> bool:
        client = CLIENT_ADDR.get() or "unknown"
        wait = guard.admit(client, username)  # counted now, so concurrent tries queue up
        if wait is None:  # too many tries in line: refused without looking at the password
            return False
        try:
            if wait:
                await asyncio.sleep(wait)
        finally:
            ok = guard.check(client, username, password, admitted=True)
        return ok
    return check
