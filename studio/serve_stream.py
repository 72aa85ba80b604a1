"""How a reply of `studio serve` reaches the client: as server-sent chunks or one body.

The reply is generated in a worker thread (serve_reply.ReplyStream); its pieces cross to the
event loop through a queue. Whichever way the reading side ends (done, the client hung up, the
response was cancelled), the generation is called off, so the next request in line starts at
once instead of waiting for a reply nobody reads.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque

from .errors import InferenceError
from .serve_reply import ReplyStream

log = logging.getLogger(__name__)


async def pieces(reply: ReplyStream, done: deque):
    """The reply's text pieces as they come from its worker thread; leaving early (the client
    went, or the stream was cancelled) calls the generation off."""
    loop, queue = asyncio.get_running_loop(), asyncio.Queue()

    def put(item):
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone (the server stopped): nobody is reading
            reply.close()

    def work():
        last = ("end", None)
        try:
            reply.run(lambda piece: put(("piece", piece)))
        except BaseException as e:  # noqa: BLE001 - handed to the reading side
            last = ("error", e)
        done.append({"generated": reply.generated, "max_tokens": reply.max_tokens,
                     "completion_tokens": reply.completion_tokens,
                     "cancelled": reply.cancelled, "finish_reason": reply.finish_reason})
        put(last)

    threading.Thread(target=work, daemon=True, name="serve-reply").start()
    try:
        while True:
            kind, value = await queue.get()
            if kind == "error":
                raise value
            if kind == "end":
                return
            yield value
    finally:
        reply.close()


async def collect(request, reply: ReplyStream, done: deque) -> str:
    """The whole reply; a client that hangs up before it is ready calls it off."""
    async def gather():
        return "".join([piece async for piece in pieces(reply, done)])

    task = asyncio.ensure_future(gather())
    try:
        while not (await asyncio.wait({task}, timeout=0.25))[0]:
            if await request.is_disconnected():
                reply.close()
        return task.result()
    finally:
        if not task.done():
            reply.close()
            task.cancel()


def usage(reply: ReplyStream) -> dict:
    return {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens}


async def sse(reply: ReplyStream, rid: str, created: int, model_id: str,
              include_usage: bool, done: deque):
    def chunk(delta: dict, finish=None) -> str:
        body = {"id": rid, "object": "chat.completion.chunk", "created": created,
                "model": model_id, "choices": [{"index": 0, "delta": delta,
                                                "finish_reason": finish}]}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def error(message: str, code: str, kind: str = "server_error") -> str:
        body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        return f"data: {json.dumps(body)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    try:
        async for piece in pieces(reply, done):
            yield chunk({"content": piece})
        if reply.cancelled == "shutdown":
            yield error("The server is shutting down; the reply was cut here. Send the request "
                        "again when it is back.", "shutting_down")
        else:
            yield chunk({}, reply.finish_reason)
            if include_usage:
                body = {"id": rid, "object": "chat.completion.chunk", "created": created,
                        "model": model_id, "choices": [], "usage": usage(reply)}
                yield f"data: {json.dumps(body)}\n\n"
    except InferenceError as e:
        yield error(str(e), e.code, "server_error" if getattr(e, "status", 400) >= 500
                    else "invalid_request_error")
    except Exception:  # noqa: BLE001 - a bug: logged, one sentence for the client
        log.exception("streamed reply failed")
        yield error("The server failed on this request; its log has the details.",
                    "server_error")
    yield "data: [DONE]\n\n"
