"""`python -m studio serve RUN`: one trained run behind an OpenAI-compatible HTTP API.

  GET  /v1/models             the run, as the one model this server has
  POST /v1/chat/completions   generation runs: OpenAI request and response shapes, streaming
                              (server-sent `data: {...}` chunks, then `data: [DONE]`), `stop`,
                              `max_tokens`, `temperature`, `top_p`; the chat template is applied
                              here, with the run's system prompt when the request has none
  POST /v1/classify           classification runs: {"input": "text" or ["text", ...]}

One request generates at a time (the model's lock); the others wait their turn. With an API
key every /v1 route wants `Authorization: Bearer KEY`.
"""
# No `from __future__ import annotations`: FastAPI reads the handlers' annotations at run time.
import hmac
import json
import logging
import socket
import threading
import time
import uuid

from .errors import InferenceError
from .inference import LoadedModel, chat_messages, classify
from .inference import prompt_text

log = logging.getLogger(__name__)
DEFAULT_MAX_TOKENS, MAX_TOKENS = 256, 4096


class ReplyStream:
    """One reply, generated in a thread: iterate for text pieces as they come; afterwards
    `finish_reason` ("stop" or "length"), `prompt_tokens` and `completion_tokens` are set.
    Generation ends early at a stop string, or when `close()` is called (a client left)."""

    def __init__(self, lm: LoadedModel, messages: list[dict], max_tokens: int = DEFAULT_MAX_TOKENS,
                 temperature: float = 0.7, top_p: float = 0.9, stop: list[str] | None = None):
        self.lm, self.max_tokens, self.stop = lm, max_tokens, [s for s in stop or [] if s]
        self.cancel = threading.Event()
        self.finish_reason, self.completion_tokens, self.stopped = "stop", 0, False
        tok = lm.tokenizer
        self.inputs = tok(prompt_text(lm, messages), return_tensors="pt", truncation=True,
                          max_length=lm.max_length,
                          add_special_tokens=not (lm.family == "gpt" and tok.chat_template))
        self.prompt_tokens = int(self.inputs["input_ids"].shape[1])
        self.sampling = ({"do_sample": True, "temperature": temperature, "top_p": top_p}
                         if temperature and temperature > 0 else {"do_sample": False})

    def __iter__(self):
        import torch
        from transformers import StoppingCriteriaList, TextIteratorStreamer

        cancel, counted = self.cancel, [0]

        class Streamer(TextIteratorStreamer):
            def put(self, value):
                if not (self.skip_prompt and self.next_tokens_are_prompt):
                    counted[0] += int(value.numel())
                super().put(value)

        def cancelled(input_ids, scores, **kwargs):
            return torch.full((input_ids.shape[0],), cancel.is_set(), dtype=torch.bool)

        tok = self.lm.tokenizer
        streamer = Streamer(tok, skip_prompt=self.lm.family == "gpt", skip_special_tokens=True)
        errors: list[BaseException] = []

        def work():
            try:
                with self.lm.lock:
                    self.lm.model.generate(**self.inputs, max_new_tokens=self.max_tokens,
                                           streamer=streamer, pad_token_id=tok.pad_token_id,
                                           stopping_criteria=StoppingCriteriaList([cancelled]),
                                           **self.sampling)
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(e)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            yield from self._pieces(streamer)
        finally:
            cancel.set()  # a stop string was met, or the client went away
        if self.stopped:  # at a stop string: let generation end its step, drain the rest
            for _ in streamer:
                pass
        thread.join()
        self.completion_tokens = counted[0]
        if errors:
            raise InferenceError(f"Generation failed: {errors[0]}", "generation_failed")
        if not self.stopped and counted[0] >= self.max_tokens:
            self.finish_reason = "length"

    def _pieces(self, streamer):
        """Text as it comes, holding back a tail that might be the start of a stop string."""
        hold = max((len(s) for s in self.stop), default=1) - 1
        text, sent = "", 0
        for piece in streamer:
            text += piece
            hits = [text.find(s) for s in self.stop if s in text]
            if hits:
                text, self.stopped = text[:min(hits)], True
                break
            if len(text) - hold > sent:
                yield text[sent:len(text) - hold]
                sent = len(text) - hold
        if len(text) > sent:
            yield text[sent:]

    def close(self) -> None:
        self.cancel.set()


# ---- the app ---------------------------------------------------------------------------------

def _error(status: int, message: str, code: str = "invalid_request"):
    from fastapi.responses import JSONResponse
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error",
                                   "code": code}}, status_code=status)


def _text(content) -> str:
    if isinstance(content, list):  # OpenAI content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def request_messages(lm: LoadedModel, messages: list[dict]) -> list[dict]:
    """OpenAI messages -> the conversation the model sees (the run's system prompt when the
    request has none)."""
    system = "\n".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
    turns = [{"role": m.get("role"), "content": _text(m.get("content"))} for m in messages
             if m.get("role") in ("user", "assistant")]
    if not turns or turns[-1]["role"] != "user":
        raise InferenceError("The last message must be the user's; send the conversation with a "
                             "user message at the end.", "last_not_user")
    return chat_messages(lm, turns[-1]["content"], turns[:-1], system)


def build_app(lm: LoadedModel, model_id: str | None = None, api_key: str | None = None):
    from fastapi import Depends, FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import StreamingResponse

    model_id = model_id or lm.ref
    created = int(time.time())
    app = FastAPI(title=f"Fine-tuning Studio: {model_id}", docs_url=None, redoc_url=None)

    class _Unauthorized(Exception):
        pass

    async def authorized(request: Request):
        if not api_key:
            return
        sent = request.headers.get("authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {api_key}".encode()):
            raise _Unauthorized()

    @app.exception_handler(_Unauthorized)
    async def unauthorized(request, exc):
        return _error(401, "The API key is missing or wrong; send Authorization: Bearer KEY.",
                      "invalid_api_key")

    @app.exception_handler(RequestValidationError)
    async def invalid(request, exc):
        first = (exc.errors() or [{}])[0]
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return _error(400, f"The request field '{where}' is invalid: {first.get('msg', '')}.")

    @app.exception_handler(InferenceError)
    async def refused(request, exc):
        return _error(400, str(exc), exc.code)

    @app.get("/health")
    def health():
        return {"status": "ok", "model": model_id, "task": lm.task}

    @app.get("/v1/models", dependencies=[Depends(authorized)])
    def models():
        return {"object": "list", "data": [{"id": model_id, "object": "model",
                                            "created": created, "owned_by": "fine-tuning-studio",
                                            "task": lm.task}]}

    @app.post("/v1/classify", dependencies=[Depends(authorized)])
    def classify_route(body: dict):
        if lm.task != "classification":
            raise InferenceError(f"Run {model_id} generates text; use /v1/chat/completions.",
                                 "not_classifier")
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not texts or not all(isinstance(t, str) for t in texts):
            raise InferenceError("Send the text to classify as \"input\": a string or a list of "
                                 "strings.", "no_input")
        rows = classify(lm, texts)
        return {"object": "list", "model": model_id,
                "data": [{"index": i, "label": r["prediction"],
                          "probabilities": r["probabilities"]} for i, r in enumerate(rows)]}

    @app.post("/v1/chat/completions", dependencies=[Depends(authorized)])
    def chat(body: dict):
        reply = _reply(lm, model_id, body)
        rid, now = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        if body.get("stream"):
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(_sse(reply, rid, now, model_id, usage),
                                     media_type="text/event-stream")
        text = "".join(reply)
        return {"id": rid, "object": "chat.completion", "created": now, "model": model_id,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": reply.finish_reason}],
                "usage": _usage(reply)}

    return app


def _reply(lm: LoadedModel, model_id: str, body: dict) -> ReplyStream:
    if lm.task == "classification":
        raise InferenceError(f"Run {model_id} is a classifier; send texts to /v1/classify.",
                             "not_generator")
    messages = body.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise InferenceError("Send \"messages\": a list of {role, content} objects.",
                             "no_messages")
    max_tokens = next((body[k] for k in ("max_completion_tokens", "max_tokens")
                       if body.get(k) is not None), DEFAULT_MAX_TOKENS)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) \
            or not 0 < max_tokens <= MAX_TOKENS:
        raise InferenceError(f"max_tokens must be a whole number from 1 to {MAX_TOKENS}.",
                             "max_tokens")
    stop = body.get("stop")
    stop = [stop] if isinstance(stop, str) else list(stop or [])
    temperature = body.get("temperature")
    top_p = body.get("top_p")
    return ReplyStream(lm, request_messages(lm, messages), max_tokens,
                       0.7 if temperature is None else float(temperature),
                       0.9 if top_p is None else float(top_p), [str(s) for s in stop][:4])


def _usage(reply: ReplyStream) -> dict:
    return {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens}


def _sse(reply: ReplyStream, rid: str, created: int, model_id: str, include_usage: bool):
    def chunk(delta: dict, finish=None, **extra) -> str:
        body = {"id": rid, "object": "chat.completion.chunk", "created": created,
                "model": model_id, "choices": [{"index": 0, "delta": delta,
                                                "finish_reason": finish}], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    try:
        yield chunk({"role": "assistant", "content": ""})
        for piece in reply:
            yield chunk({"content": piece})
        yield chunk({}, reply.finish_reason)
        if include_usage:
            body = {"id": rid, "object": "chat.completion.chunk", "created": created,
                    "model": model_id, "choices": [], "usage": _usage(reply)}
            yield f"data: {json.dumps(body)}\n\n"
    except InferenceError as e:
        yield f"data: {json.dumps({'error': {'message': str(e), 'code': e.code}})}\n\n"
    finally:
        reply.close()
    yield "data: [DONE]\n\n"


# ---- running it ------------------------------------------------------------------------------

class BackgroundServer:
    """The app on a port of its own in a thread (tests, the page): `.url`, `.stop()`."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        import uvicorn
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = host, self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
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
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def run_server(app, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import uvicorn
    uvicorn.run(app, host=host, port=port, log_level="warning")
