"""The GGUF half of the parity check: load the exported file in llama.cpp (llama-cpp-python),
render the conversation with the chat template stored in the file the way llama-cpp-python's
chat completion does (its Jinja2ChatFormatter over `tokenizer.chat_template`), tokenize it
with llama.cpp's own tokenizer and decode greedily, logit by logit, with no sampler."""
from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def llama_answers(where: Path, quant: str, conversations: list[list[dict]],
                  max_new_tokens: int, eos: int | None = None):
    """(runtime name, [(prompt text, prompt ids, greedy new ids)], template info)."""
    import llama_cpp
    import numpy as np
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    from .gguf_writer import gguf_name
    # logits_all: llama-cpp-python 0.3 keeps `scores` only when asked (its own sampler needs
    # none); without it the greedy loop below would read an unwritten row.
    llm = Llama(model_path=str(where / gguf_name(quant)), n_ctx=1024, verbose=False,
                n_threads=max(1, min(4, os.cpu_count() or 1)), seed=0, logits_all=True)
    try:
        template = llm.metadata.get("tokenizer.chat_template")
        piece = lambda t: llm.detokenize([t], special=True).decode("utf-8", "replace")  # noqa: E731
        formatter = None
        if template:
            formatter = Jinja2ChatFormatter(template=template, eos_token=piece(llm.token_eos()),
                                            bos_token=piece(llm.token_bos()),
                                            add_generation_prompt=True)
        stops = {llm.token_eos(), eos} - {None, -1}
        out = []
        for messages in conversations:
            if formatter is not None:
                text = formatter(messages=messages).prompt
            else:  # no template in the file: feed the studio's own plain layout
                from ..tasks.causal_lm import PLAIN_ROLES
                text = "".join(PLAIN_ROLES.get(m["role"], "") + m["content"] + "\n\n"
                               for m in messages) + PLAIN_ROLES["assistant"]
            ids = llm.tokenize(text.encode("utf-8"), add_bos=formatter is None, special=True)
            llm.reset()
            llm.eval(ids)
            new: list[int] = []
            for _ in range(max_new_tokens):
                token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
                if token in stops:
                    new.append(token)
                    break
                new.append(token)
                llm.eval([token])
            out.append((text, ids, new))
        first = out[0][0] if out and formatter is not None else None
        return (f"llama.cpp (llama-cpp-python {llama_cpp.__version__})", out,
                {"source": "GGUF tokenizer.chat_template" if template else "none in the GGUF",
                 "text": first})
    finally:
        llm.close() if hasattr(llm, "close") else None
