"""One reply of `studio serve`, generated in a worker thread that can be called off.

`ReplyStream(lm, request)` checks the prompt against the model's positions at once (a 400 when
the prompt alone fills them; `max_tokens` lowered to what is left, with a sentence in
`warning`), then `run(emit)` waits its turn for the model, generates, and hands text pieces to
`emit` as they come. `cancel` (the client left) and the server's `stopping` event (SIGTERM)
end generation at the next token and also free a request still waiting for the model, so
nobody behind it is kept waiting for a reply no one reads.
"""
from __future__ import annotations

import logging
import threading
import time

from .inference import LoadedModel, prompt_text
from .serve_requests import DEFAULT_MAX_TOKENS, MAX_TOKENS, ChatRequest, RequestError
from .serve_requests import request_messages

log = logging.getLogger(__name__)


def positions(lm: LoadedModel) -> int | None:
    """How many tokens a GPT can see at once (prompt + reply); past it GPT-2 fails with
    'index out of range'. None for encoder-decoders, whose decoder has no such limit."""
    if lm.family != "gpt":
        return None
    config = getattr(lm.model, "config", None)
    return getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings",
                                                           None)


class ReplyStream:
    """After `run()`: `text`, `finish_reason` ("stop" or "length"), `prompt_tokens`,
    `completion_tokens` (the end-of-sequence token is not counted), `generated` (every new
    token) and `cancelled` (None, "client" or "shutdown")."""

    def __init__(self, lm: LoadedModel, req: ChatRequest, stopping: threading.Event | None = None):
        self.lm, self.req, self.stop = lm, req, req.stop
        self.cancel, self.stopping = threading.Event(), stopping or threading.Event()
        self.text, self.finish_reason, self.warning = "", "stop", ""
        self.completion_tokens = self.generated = 0
        self.cancelled: str | None = None
        self.stopped = False  # at a stop string
        tok = lm.tokenizer
        source = prompt_text(lm, request_messages(lm, req.messages))
        room = positions(lm)
        # A GPT's prompt is never cut (cutting its end would drop the question); T5 reads at
        # most the length it was trained on, as in training.
        self.inputs = tok(source, return_tensors="pt", truncation=room is None,
                          max_length=lm.max_length if room is None else None,
                          add_special_tokens=not (lm.family == "gpt" and tok.chat_template))
        self.prompt_tokens = int(self.inputs["input_ids"].shape[1])
        asked = req.max_tokens or DEFAULT_MAX_TOKENS
        limit = MAX_TOKENS if room is None else min(MAX_TOKENS, room - self.prompt_tokens)
        if limit < 1:
            raise RequestError(f"The prompt is {self.prompt_tokens} tokens and this model reads "
                               f"at most {room} positions, reply included; send a shorter "
                               f"conversation.", "context_length_exceeded", "messages")
        self.max_tokens = min(asked, limit)
        if req.max_tokens and req.max_tokens > limit:
            why = (f"this model has {room} positions and the prompt uses {self.prompt_tokens}"
                   if room else f"this server writes at most {MAX_TOKENS} tokens")
            self.warning = (f"max_tokens {req.max_tokens} was lowered to {limit}: {why}; "
                            f"finish_reason \"length\" means the reply stopped there.")

    def _should_stop(self) -> bool:
        if self.cancel.is_set() or self.stopping.is_set():
            self.cancelled = self.cancelled or ("shutdown" if self.stopping.is_set()
                                                else "client")
            return True
        return self.stopped

    def close(self) -> None:
        """Called off (the client left): generation ends at its next token."""
        self.cancel.set()

    def run(self, emit) -> None:
        """Wait for the model, generate, `emit(piece)` each piece of text (in this thread)."""
        import torch
        from transformers import StoppingCriteriaList, TextStreamer

        lm, reply = self.lm, self
        while not lm.lock.acquire(timeout=0.1):  # waiting in line; leave it when called off
            if self._should_stop():
                return
        try:
            if self._should_stop():
                return
            tok = lm.tokenizer
            hold = max((len(s) for s in self.stop), default=1) - 1
            sent = [0]

            class Streamer(TextStreamer):
                """Text as it comes, holding back a tail that may be a stop string's start."""

                def on_finalized_text(self, piece: str, stream_end: bool = False):
                    if reply.stopped or not piece and not stream_end:
                        return
                    reply.text += piece
                    hits = [reply.text.find(s) for s in reply.stop if s in reply.text]
                    if hits:
                        reply.text, reply.stopped = reply.text[:min(hits)], True
                    end = len(reply.text) if reply.stopped or stream_end \
                        else len(reply.text) - hold
                    if end > sent[0]:
                        emit(reply.text[sent[0]:end])
                        sent[0] = end

            def criteria(input_ids, scores, **kwargs):
                return torch.full((input_ids.shape[0],), self._should_stop(), dtype=torch.bool)

            streamer = Streamer(tok, skip_prompt=lm.family == "gpt", skip_special_tokens=True)
            # Below 1e-4 sampling is greedy in all but name (and dividing by ~0 overflows).
            sampling = ({"do_sample": True, "temperature": self.req.temperature,
                         "top_p": self.req.top_p} if self.req.temperature >= 1e-4
                        else {"do_sample": False})
            if self.req.seed is not None:
                torch.manual_seed(self.req.seed)
            start = time.monotonic()
            with torch.no_grad():
                out = lm.model.generate(**self.inputs, max_new_tokens=self.max_tokens,
                                        streamer=streamer, pad_token_id=tok.pad_token_id,
                                        stopping_criteria=StoppingCriteriaList([criteria]),
                                        **sampling)
            self._count(out)
            log.info("reply: %d tokens in %.1f s%s", self.generated, time.monotonic() - start,
                     f" (cancelled: {self.cancelled})" if self.cancelled else "")
        except Exception as e:  # noqa: BLE001 - logged here, one sentence for the client
            log.exception("generation failed")
            raise RequestError("Generation failed inside the model; the server log has the "
                               "details.", "generation_failed", status=500) from e
        finally:
            lm.lock.release()

    def _count(self, out) -> None:
        """New tokens from generate's output: after the prompt for a GPT, after the decoder's
        start token for T5; the end-of-sequence token ends the reply but is not part of it."""
        start = self.prompt_tokens if self.lm.family == "gpt" else 1
        new = out[0, start:].tolist()
        eos = getattr(self.lm.model.generation_config, "eos_token_id", None)
        eos = set(eos if isinstance(eos, list) else [eos]) | {self.lm.tokenizer.eos_token_id}
        eos.discard(None)
        ended = bool(new) and new[-1] in eos
        pad = self.lm.tokenizer.pad_token_id
        while ended and new and new[-1] in eos | {pad}:  # the end token (and any padding)
            new.pop()
        self.generated = len(out[0]) - start
        self.completion_tokens = len(new)
        if not (self.stopped or ended or self.cancelled) and self.generated >= self.max_tokens:
            self.finish_reason = "length"
