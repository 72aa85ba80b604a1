"""Gradio's session state, keyed by who is asking and not only by the hash the client chose.

Gradio keeps every gr.State (the Data step's file and frame, the followed run, the export
settings) under a `session_hash` that the *client* picks and sends: in the queue's join body,
the event stream's query string, the heartbeat's path. The hash is visible to page scripts
and in queue URLs, and a client that replayed another visitor's hash with its own cookie
got that visitor's upload (`/on_change` answered with their rows).

So the Guard middleware rewrites every session hash a request carries into
`<hash>-<tag>`, where the tag is a digest of the client's key (the studio's HttpOnly cookie,
or the address of a client that keeps none: studio's owner identity). The same browser
always gets the same rewritten hash, so gradio finds its session; another client replaying the
hash lands in a session of its own, empty. A body this cannot rewrite (a form posted to the
component server) is refused.
"""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import parse_qsl, urlencode

FIELD = "session_hash"
MAX_JSON_BYTES = 64 * 2**20  # a queue join carries the form's values, never a file
_PATH_HASH = [re.compile(r"^(.*/heartbeat/)([^/]+)(/?)$"),
              re.compile(r"^(.*/stream/)([^/]+)(/[^/]+/[^/]+/.+)$")]


def tag(client_key: str) -> str:
    return hashlib.sha256(("session:" + client_key).encode()).hexdigest()[:16]


def scoped(value, client_tag: str):
    return f"{value}-{client_tag}" if isinstance(value, str) and value else value


def rewrite_scope(scope: dict, client_tag: str) -> dict:
    """The scope with the session hash of its path and query string rewritten."""
    scope = dict(scope)
    query = scope.get("query_string", b"") or b""
    if FIELD.encode() in query:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        scope["query_string"] = urlencode(
            [(k, scoped(v, client_tag) if k == FIELD else v) for k, v in pairs]).encode()
    path = scope.get("path", "")
    for pattern in _PATH_HASH:
        m = pattern.match(path)
        if m and (pattern is _PATH_HASH[0] or scope.get("method") == "GET"):
            scope["path"] = m.group(1) + scoped(m.group(2), client_tag) + m.group(3)
            scope["raw_path"] = scope["path"].encode()
            break
    return scope


def is_json(scope: dict) -> bool:
    for k, v in scope.get("headers", []):
        if k.lower() == b"content-type":
            return v.split(b";")[0].strip().lower() == b"application/json"
    return False


def refused_body(scope: dict) -> bool:
    """A body whose session hash could not be rewritten: the component server takes forms."""
    return scope.get("method") == "POST" and scope.get("path", "").rstrip("/").endswith(
        "/component_server") and not is_json(scope)


async def rewrite_body(scope: dict, receive, client_tag: str):
    """(scope, receive) for a JSON POST with its top-level session_hash rewritten."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return scope, _replay([message], receive)
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > MAX_JSON_BYTES or not message.get("more_body"):
            break
    body = b"".join(chunks)
    try:
        data = json.loads(body) if size <= MAX_JSON_BYTES else None
    except ValueError:
        data = None
    if isinstance(data, dict) and FIELD in data:
        data[FIELD] = scoped(data[FIELD], client_tag)
        body = json.dumps(data).encode()
    elif size > MAX_JSON_BYTES:  # too large to look into: gradio must not see it either
        body = b"{}"
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
    scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
    return scope, _replay([{"type": "http.request", "body": body, "more_body": False}],
                          receive)


def _replay(messages: list, receive):
    async def replayed():
        if messages:
            return messages.pop(0)
        return await receive()
    return replayed
