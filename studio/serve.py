"""`python -m studio serve RUN`: one trained run behind an OpenAI-compatible HTTP API.

  GET  /health                always open (no key, never waits behind a generation)
  GET  /v1/models             the run, as the one model this server has
  POST /v1/chat/completions   generation runs: OpenAI request and response shapes, streaming
                              (server-sent `data: {...}` chunks, then `data: [DONE]`), `stop`,
                              `max_tokens`, `temperature`, `top_p`, `seed`; the chat template is
                              applied here, with the run's system prompt when the request has none
  POST /v1/classify           classification runs: {"input": "text" or ["text", ...]}

One request generates at a time; at most `max_waiting` more wait their turn and beyond that the
answer is 429 with Retry-After. A client that leaves stops its generation (and its place in
line); SIGTERM stops every generation and the server exits within a few seconds. Every refusal
is OpenAI's error shape (`{"error": {"message", "type", "param", "code"}}`), never a bare 500.
With an API key every route but /health wants `Authorization: Bearer KEY`.
"""
# No `from __future__ import annotations`: FastAPI reads the handlers' annotations at run time.
import hmac
import logging
import socket
import threading
import time
import uuid
from collections import deque

from .errors import InferenceError
from .inference import LoadedModel, classify
from .serve_reply import ReplyStream
from .serve_requests import DEFAULT_MAX_TOKENS, MAX_TOKENS, RequestError  # noqa: F401
from .serve_requests import parse_body, parse_chat, parse_classify
from .serve_stream import collect, sse, usage

log = logging.getLogger(__name__)
DEFAULT_MAX_WAITING = 16
MAX_BODY = 4 * 2**20     # a chat request is a few KB; a bigger body is refused before parsing
RETRY_AFTER_S = 2
GRACE_S = 3              # after SIGTERM, how long a response may take to finish its last token


def _error(status: int, message: str, code: str = "invalid_request", param=None,
           kind: str = "invalid_request_error", headers: dict | None = None):
    from fastapi.responses import JSONResponse
    return JSONResponse({"error": {"message": message, "type": kind, "param": param,
                                   "code": code}}, status_code=status, headers=headers)


def _refusal(exc: InferenceError):
    if isinstance(exc, RequestError) and exc.status == 429:
        return _error(429, str(exc), exc.code, None, "requests",
                      {"Retry-After": str(RETRY_AFTER_S)})
    status = getattr(exc, "status", 400)
    return _error(status, str(exc), exc.code, getattr(exc, "param", None),
                  "server_error" if status >= 500 else "invalid_request_error")


class WaitingLine:
    """The requests that hold or wait for the model: one at work, at most `max_waiting` behind
    it. Touched from the event loop only, so a plain counter is enough."""

    def __init__(self, max_waiting: int):
        self.max_waiting, self.admitted = max(0, int(max_waiting)), 0

    def enter(self):
        if self.admitted > self.max_waiting:
            raise RequestError(f"The server is busy: {self.max_waiting} requests are already "
                               f"waiting; try again in a few seconds.", "rate_limit_exceeded",
                               status=429)
        self.admitted += 1
        left = [False]

        def leave():
            if not left[0]:
                left[0] = True
                self.admitted -= 1
        return leave


class _KeyCheck:
    """Every route but /health wants the key (also /openapi.json and unknown paths, so the
    server says nothing about itself to a stranger). Plain ASGI: it never buffers a stream."""

    def __init__(self, app, api_key: str | None):
        self.app, self.expected = app, f"Bearer {api_key}".encode() if api_key else None

    async def __call__(self, scope, receive, send):
        if self.expected and scope["type"] == "http" and scope.get("path") != "/health":
            sent = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(sent, self.expected):
                await _error(401, "The API key is missing or wrong; send Authorization: Bearer "
                                  "KEY.", "invalid_api_key")(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _body(request) -> dict:
    length = request.headers.get("content-length", "")
    size, chunks = int(length) if length.isdigit() else 0, []
    if size <= MAX_BODY:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                break
            chunks.append(chunk)
    if size > MAX_BODY:
        raise RequestError(f"The request body is over {MAX_BODY // 2**20} MB; send a shorter "
                           f"conversation.", "body_too_large", status=413)
    return parse_body(b"".join(chunks))


def build_app(lm: LoadedModel, model_id: str | None = None, api_key: str | None = None,
              max_waiting: int = DEFAULT_MAX_WAITING):
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.responses import StreamingResponse

    model_id = model_id or lm.ref
    created = int(time.time())
    app = FastAPI(title=f"Fine-tuning Studio: {model_id}", docs_url=None, redoc_url=None)
    app.add_middleware(_KeyCheck, api_key=api_key)
    line = WaitingLine(max_waiting)
    # `stopping`: set on SIGTERM, ends every generation; `replies`: the latest replies' token
    # counts and how they ended (what the log says, kept for tests and debugging).
    app.state.stopping, app.state.replies = threading.Event(), deque(maxlen=64)
    app.state.line = line

    @app.exception_handler(InferenceError)
    async def refused(request, exc):
        return _refusal(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc):
        return _error(400, "The request is not a JSON object this route reads.")

    @app.exception_handler(HTTPException)
    async def http_error(request, exc):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, f"There is no {request.method} {request.url.path} here; "
                                       f"see /v1/models and /v1/chat/completions.", code)

    @app.exception_handler(Exception)
    async def crashed(request, exc):  # a bug: the traceback goes to the log, not the client
        log.error("request %s %s failed", request.method, request.url.path, exc_info=exc)
        return _error(500, "The server failed on this request; its log has the details.",
                      "server_error", kind="server_error")

    @app.get("/health")
    async def health(request: Request):
        sent = request.headers.get("authorization", "").encode()
        busy = lm.lock.locked()
        body = {"status": "stopping" if app.state.stopping.is_set() else "ok",
                "generating": busy, "waiting": max(0, line.admitted - int(busy))}
        if not api_key or hmac.compare_digest(sent, f"Bearer {api_key}".encode()):
            body.update(model=model_id, task=lm.task)
        return body

    @app.get("/v1/models")
    async def models():
        return {"object": "list", "data": [{"id": model_id, "object": "model",
                                            "created": created, "owned_by": "fine-tuning-studio",
                                            "task": lm.task}]}

    @app.post("/v1/classify")
    async def classify_route(request: Request):
        if lm.task != "classification":
            raise RequestError(f"Run {model_id} generates text; use /v1/chat/completions.",
                               "not_classifier")
        texts = parse_classify(await _body(request))
        leave = line.enter()
        try:
            rows = await run_in_threadpool(classify, lm, texts)
        finally:
            leave()
        return {"object": "list", "model": model_id,
                "data": [{"index": i, "label": r["prediction"],
                          "probabilities": r["probabilities"]} for i, r in enumerate(rows)]}

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        if lm.task == "classification":
            raise RequestError(f"Run {model_id} is a classifier; send texts to /v1/classify.",
                               "not_generator")
        req = parse_chat(await _body(request))
        # The chat template and the tokenizer run in a thread: a long prompt must not hold
        # up the event loop (and /health) while it is read.
        reply = await run_in_threadpool(ReplyStream, lm, req, app.state.stopping)
        headers = {"X-Studio-Warning": reply.warning} if reply.warning else {}
        if reply.warning:
            log.info("%s", reply.warning)
        leave = line.enter()
        rid, now = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if req.stream:
            return _Stream(sse(reply, rid, now, model_id, req.include_usage, app.state.replies),
                           lambda: (reply.close(), leave()), headers)
        try:
            text = await collect(request, reply, app.state.replies)
        finally:
            leave()
        if reply.cancelled == "shutdown":
            return _error(503, "The server is shutting down; send the request again when it is "
                               "back.", "shutting_down", kind="server_error")
        return JSONResponse({"id": rid, "object": "chat.completion", "created": now,
                             "model": model_id,
                             "choices": [{"index": 0, "message": {"role": "assistant",
                                                                  "content": text},
                                          "finish_reason": reply.finish_reason}],
                             "usage": usage(reply)}, headers=headers)

    class _Stream(StreamingResponse):
        """Whatever ends the response (done, client gone, cancelled before the first chunk),
        the generation is called off and the place in line given back."""

        def __init__(self, content, on_close, headers):
            super().__init__(content, media_type="text/event-stream", headers=headers)
            self.on_close = on_close

        async def __call__(self, scope, receive, send):
            try:
                await super().__call__(scope, receive, send)
            finally:
                self.on_close()

    return app


# ---- running it ------------------------------------------------------------------------------

def _server(app, **config):
    """uvicorn, told on SIGTERM/Ctrl-C to call every generation off at once: a graceful
    shutdown then waits for one token, not for whole replies (30 s and more)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            stopping = getattr(app.state, "stopping", None)
            if stopping is not None and not stopping.is_set():
                log.warning("stopping: calling off the replies in progress")
                stopping.set()
            super().handle_exit(sig, frame)

    return Server(uvicorn.Config(app, timeout_graceful_shutdown=GRACE_S, **config))


class BackgroundServer:
    """The app on a port of its own in a thread (tests, the page): `.url`, `.stop()`."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = host, self.sock.getsockname()[1]
        self.server = _server(app, log_level="warning")
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self, timeout: float = 20.0) -> "BackgroundServer":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.handle_exit(0, None)
        self.thread.join(10)
        self.sock.close()


def run_server(app, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until SIGTERM or Ctrl-C."""
    _server(app, host=host, port=port, log_level="warning").run()
