"""Checking what a client sent to `studio serve`, field by field, before any work is queued.

Every refusal is a `RequestError`: one sentence naming the field (`param`, in OpenAI's
spelling, e.g. `messages[2].content`) and what to send instead; the server answers it as
OpenAI's error shape with HTTP 400. A wrong type must never reach the model code, where it used
to end as a bare 500 ("temperature": "hot", "stop": 5).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from .errors import InferenceError
from .inference import LoadedModel, chat_messages

DEFAULT_MAX_TOKENS, MAX_TOKENS = 256, 4096
MAX_MESSAGES, MAX_STOPS, MAX_INPUTS = 1000, 4, 1024
ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


class RequestError(InferenceError):
    """A request the server will not run; `param` names the field (None: the whole body)."""

    def __init__(self, message: str, code: str = "invalid_request", param: str | None = None,
                 status: int = 400):
        super().__init__(message, code, param=param)
        self.param, self.status = param, status


@dataclass
class ChatRequest:
    messages: list[dict]              # role ("system" | "user" | "assistant") and text content
    max_tokens: int | None = None     # None: the server's default
    temperature: float = 0.7
    top_p: float = 0.9
    stop: list[str] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False
    seed: int | None = None


def _kind(value) -> str:
    """How a wrong value is described back: its JSON type, never the value itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def parse_body(raw: bytes) -> dict:
    """The JSON object a request carries (deeply nested JSON is refused, not a crash)."""
    try:
        body = json.loads(raw)
    except RecursionError:
        raise RequestError("The request body is nested too deeply; send a flat JSON object.",
                           "invalid_json") from None
    except (ValueError, UnicodeDecodeError):
        raise RequestError("The request body is not valid JSON; send a JSON object with "
                           "Content-Type: application/json.", "invalid_json") from None
    if not isinstance(body, dict):
        raise RequestError(f"The request body must be a JSON object; got {_kind(body)}.",
                           "invalid_json")
    return body


def _number(body: dict, name: str, lo: float, hi: float, default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or not lo <= value <= hi:
        got = _kind(value) if not isinstance(value, (int, float)) or isinstance(value, bool) \
            else str(value)
        raise RequestError(f"'{name}' must be a number from {lo:g} to {hi:g}; got {got}.",
                           "invalid_value", name)
    return float(value)


def _whole(body: dict, name: str, lo: int = 1) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        got = str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else _kind(value)
        raise RequestError(f"'{name}' must be a whole number of at least {lo}; got {got}.",
                           "invalid_value", name)
    return value


def _flag(body: dict, name: str, container: str = "") -> bool:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        where = f"{container}.{name}" if container else name
        raise RequestError(f"'{where}' must be true or false; got {_kind(value)}.",
                           "invalid_value", where)
    return bool(value)


def _unsupported(body: dict) -> None:
    """Fields this server cannot honour: refused, not silently ignored, when they ask for
    something (their neutral values are accepted so ordinary clients work)."""
    n = body.get("n")
    if n is not None and (isinstance(n, bool) or n != 1):
        raise RequestError("'n' must be 1: this server writes one reply per request.",
                           "unsupported_value", "n")
    for name in ("presence_penalty", "frequency_penalty"):
        if _number(body, name, -2, 2, 0.0) != 0:
            raise RequestError(f"'{name}' is not applied by this server; leave it out or send "
                               f"0.", "unsupported_value", name)
    if _flag(body, "logprobs") or body.get("top_logprobs") is not None:
        raise RequestError("'logprobs' is not available from this server; leave it out.",
                           "unsupported_value", "logprobs")
    for name in ("tools", "functions"):
        if body.get(name) not in (None, []):
            raise RequestError(f"'{name}' cannot be used: the served model does not call tools.",
                               "unsupported_value", name)
    fmt = body.get("response_format")
    if fmt is not None and fmt != {"type": "text"}:
        raise RequestError("'response_format' can only be {\"type\": \"text\"} here.",
                           "unsupported_value", "response_format")
    if body.get("logit_bias") not in (None, {}):
        raise RequestError("'logit_bias' is not applied by this server; leave it out.",
                           "unsupported_value", "logit_bias")
    for name in ("model", "user"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise RequestError(f"'{name}' must be a string; got {_kind(body[name])}.",
                               "invalid_value", name)


def _content(value, where: str, role: str) -> str:
    if isinstance(value, str):
        return value
    if value is None and role == "assistant":
        return ""
    if isinstance(value, list):
        parts = []
        for i, part in enumerate(value):
            if not isinstance(part, dict) or part.get("type") != "text" \
                    or not isinstance(part.get("text"), str):
                raise RequestError(f"'{where}[{i}]' must be a text part "
                                   f"{{\"type\": \"text\", \"text\": \"...\"}}; this server "
                                   f"reads text only.", "invalid_value", f"{where}[{i}]")
            parts.append(part["text"])
        return "".join(parts)
    raise RequestError(f"'{where}' must be a string or a list of text parts; got "
                       f"{_kind(value)}.", "invalid_value", where)


def _messages(body: dict) -> list[dict]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise RequestError("Send \"messages\": a non-empty list of {\"role\", \"content\"} "
                           "objects.", "no_messages", "messages")
    if len(messages) > MAX_MESSAGES:
        raise RequestError(f"'messages' holds {len(messages)} messages; send at most "
                           f"{MAX_MESSAGES}.", "invalid_value", "messages")
    out = []
    for i, m in enumerate(messages):
        where = f"messages[{i}]"
        if not isinstance(m, dict):
            raise RequestError(f"'{where}' must be an object with \"role\" and \"content\"; got "
                               f"{_kind(m)}.", "invalid_value", where)
        role = m.get("role")
        if not isinstance(role, str) or role not in ROLES:
            raise RequestError(f"'{where}.role' must be one of system, developer, user or "
                               f"assistant.", "invalid_value", f"{where}.role")
        out.append({"role": ROLES[role], "content": _content(m.get("content"),
                                                             f"{where}.content", role)})
    if out[-1]["role"] != "user":
        raise RequestError("The last message must be the user's; send the conversation with a "
                           "user message at the end.", "last_not_user", "messages")
    return out


def _stop(body: dict) -> list[str]:
    stop = body.get("stop")
    if stop is None:
        return []
    stops = [stop] if isinstance(stop, str) else stop
    if not isinstance(stops, list) or not all(isinstance(s, str) for s in stops) \
            or len(stops) > MAX_STOPS:
        raise RequestError(f"'stop' must be a string or a list of up to {MAX_STOPS} strings; "
                           f"got {_kind(stop)}.", "invalid_value", "stop")
    return [s for s in stops if s]


def parse_chat(body: dict) -> ChatRequest:
    """A /v1/chat/completions body, checked; RequestError names the first wrong field."""
    messages = _messages(body)
    _unsupported(body)
    tokens = [_whole(body, k) for k in ("max_completion_tokens", "max_tokens")]
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise RequestError(f"'stream_options' must be an object; got {_kind(options)}.",
                           "invalid_value", "stream_options")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise RequestError(f"'seed' must be a whole number; got {_kind(seed)}.",
                           "invalid_value", "seed")
    return ChatRequest(messages, next((t for t in tokens if t is not None), None),
                       _number(body, "temperature", 0, 2, 0.7), _number(body, "top_p", 0, 1, 0.9),
                       _stop(body), _flag(body, "stream"),
                       _flag(options or {}, "include_usage", "stream_options"), seed)


def parse_classify(body: dict) -> list[str]:
    texts = body.get("input")
    texts = [texts] if isinstance(texts, str) else texts
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        raise RequestError("Send the text to classify as \"input\": a string or a list of "
                           "strings.", "no_input", "input")
    if len(texts) > MAX_INPUTS:
        raise RequestError(f"'input' holds {len(texts)} texts; send at most {MAX_INPUTS} per "
                           f"request.", "invalid_value", "input")
    return texts


def request_messages(lm: LoadedModel, messages: list[dict]) -> list[dict]:
    """Checked messages -> the conversation the model sees (the run's system prompt when the
    request has none)."""
    system = "\n".join(m["content"] for m in messages if m["role"] == "system")
    turns = [m for m in messages if m["role"] in ("user", "assistant")]
    return chat_messages(lm, turns[-1]["content"], turns[:-1], system)
