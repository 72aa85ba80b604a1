"""One .gguf file (llama.cpp, Ollama, LM Studio) plus an Ollama Modelfile, written with the
`gguf` package's GGUFWriter from the run's merged weights.

The architectures and their tensor layouts live in gguf_arch (GPT-2, Llama, Mistral, Qwen2).
The byte-level BPE tokenizer goes in as vocabulary, merges, token types, special ids, the chat
template and the pre-tokenizer name llama.cpp looks up (it refuses names it does not know).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..runfolder import RunFolder
from .card import write_card
from .common import GGUF_QUANTS, ExportError, Progress, load_model, report
from .gguf_arch import GGUF_ARCH, SUPPORTED, add_hparams, gguf_tensors, permute  # noqa: F401
from .modelfile import write_modelfile
from .snippets import gguf_code

QUANTS = GGUF_QUANTS
# llama.cpp's names (src/llama-vocab.cpp) for the pre-tokenizers these structures describe.
GPT2_PRE, SMOLLM_PRE = "gpt-2", "smollm"
_BYTE0 = chr(0x100)  # byte 0x00 in the byte-level alphabet


def gguf_name(quant: str) -> str:
    return f"model-{quant}.gguf"


def check_supported(folder: RunFolder, info: dict, quant: str) -> None:
    """Refuse early, before any weight is loaded."""
    from .availability import refuse_unless_available
    if quant not in QUANTS:
        raise ExportError(code="gguf_quant", quant=quant, quants=list(QUANTS))
    refuse_unless_available(folder, "gguf")


def add_tensor(writer, name: str, a: np.ndarray, quant: str) -> None:
    import gguf
    if a.ndim < 2:  # norms and biases stay exact
        writer.add_tensor(name, a.astype(np.float32))
    elif quant == "q8_0" and a.shape[-1] % 32 == 0:
        q = gguf.GGMLQuantizationType.Q8_0
        writer.add_tensor(name, gguf.quants.quantize(a, q), raw_dtype=q)
    else:  # f16, and rows Q8_0 blocks cannot split (llama.cpp does the same)
        writer.add_tensor(name, a.astype(np.float16))


def pre_tokenizer_name(tok) -> str:
    """llama.cpp's name for how the tokenizer splits text before BPE."""
    pre = json.loads(tok.backend_tokenizer.to_str()).get("pre_tokenizer") or {}
    parts = pre.get("pretokenizers", [pre]) if pre.get("type") == "Sequence" else [pre]
    kinds = [p.get("type") for p in parts]
    if kinds == ["ByteLevel"] and parts[0].get("use_regex", True):
        return GPT2_PRE  # GPT-2's own regex; llama.cpp calls it "gpt-2" (never "gpt2")
    if kinds == ["Digits", "ByteLevel"] and parts[0].get("individual_digits") \
            and parts[1].get("use_regex", True):
        return SMOLLM_PRE  # digits one by one, then GPT-2's regex: SmolLM's official GGUF name
    split = next((p for p in parts if p.get("type") == "Split"), None)
    if split is not None:
        regex = (split.get("pattern") or {}).get("Regex")
        try:
            from transformers.integrations.gguf.gguf_tokenizer_mapping import \
                GGUF_PRE_TOKENIZER_SPLITS
        except ImportError:
            GGUF_PRE_TOKENIZER_SPLITS = {}
        for name, known in GGUF_PRE_TOKENIZER_SPLITS.items():
            if known == regex:
                return name
    raise ExportError(code="gguf_pretokenizer")


def inherited_pre(info: dict) -> str | None:
    """The pre-tokenizer name of the GGUF the base model was read from (SmolLM2's official
    file says "smollm"): fine-tuning keeps the tokenizer, and transformers' GGUF reader drops
    the digit splitter from it, so the structure alone would say "gpt-2"."""
    from .common import gguf_field, source_gguf
    path = source_gguf(str(info.get("base_model", "")))
    value = gguf_field(path, "tokenizer.ggml.pre") if path else None
    return value if isinstance(value, str) and value else None


def add_tokenizer(writer, tok, vocab_size: int, pre: str | None = None) -> None:
    import gguf
    spec = json.loads(tok.backend_tokenizer.to_str())
    if spec["model"]["type"] != "BPE":
        raise ExportError(code="gguf_tokenizer")
    by_id = {i: t for t, i in tok.get_vocab().items()}
    added = tok.added_tokens_decoder
    tokens, types = [], []
    for i in range(max(vocab_size, len(by_id))):
        if i not in by_id:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
            continue
        tokens.append(by_id[i])
        types.append(gguf.TokenType.NORMAL if i not in added else gguf.TokenType.CONTROL
                     if added[i].special else gguf.TokenType.USER_DEFINED)
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"].get("merges", [])]
    if not merges:
        # llama.cpp refuses a BPE vocabulary without merges, and the gguf writer drops an empty
        # list. A byte-only vocabulary (the tiny presets) gets one merge of two NUL bytes whose
        # result is not a token: llama.cpp falls back to the byte tokens, so ids do not change.
        merges = [f"{_BYTE0} {_BYTE0}"]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre or pre_tokenizer_name(tok))
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    for token, add in (("bos", writer.add_bos_token_id), ("eos", writer.add_eos_token_id),
                       ("unk", writer.add_unk_token_id), ("pad", writer.add_pad_token_id)):
        tid = getattr(tok, f"{token}_token_id", None)
        if tid is not None:
            add(tid)
    ids = tok("a")["input_ids"]
    writer.add_add_bos_token(bool(ids) and ids[0] == tok.bos_token_id)
    writer.add_add_eos_token(False)
    if tok.chat_template:
        writer.add_chat_template(tok.chat_template)


def write_gguf(folder: RunFolder, target: Path, info: dict, quant: str = "f16",
               settings: dict | None = None, progress: Progress | None = None) -> dict:
    import gguf
    check_supported(folder, info, quant)
    report(progress, 0.05, "Loading the model" + (" and merging the LoRA adapter"
                                                  if info.get("method") == "lora" else ""))
    lm = load_model(folder)
    cfg, model_type = lm.model.config, lm.model.config.model_type
    arch = GGUF_ARCH[model_type]
    target.mkdir(parents=True, exist_ok=True)
    name = gguf_name(quant)
    writer = gguf.GGUFWriter(target / name, arch)
    add_hparams(writer, cfg, model_type, folder.config().name or folder.id, quant)
    add_tokenizer(writer, lm.tokenizer, cfg.vocab_size, inherited_pre(info))
    tensors = list(gguf_tensors(lm.model, model_type))
    for i, (tname, a) in enumerate(tensors):
        report(progress, 0.3 + 0.5 * i / len(tensors), f"Converting {tname} to {quant}")
        add_tensor(writer, tname, a, quant)
    report(progress, 0.85, f"Writing {name}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    write_modelfile(target, name, lm.tokenizer, info.get("system_prompt", ""), settings)
    report(progress, 0.95, "Writing the model card")
    write_card(folder, target, info, "gguf", tags=["gguf", quant], library="gguf",
               use=gguf_code("path/to/this/folder", name, _ollama_name(folder)))
    return {"quant": quant, "architecture": arch, "tensors": len(tensors)}


def refresh_modelfile(folder: RunFolder, target: Path, info: dict, quant: str,
                      settings: dict | None) -> None:
    """Only the generation settings changed: rewrite the Modelfile, keep the .gguf."""
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(folder.model_dir)
    write_modelfile(target, gguf_name(quant), tok, info.get("system_prompt", ""), settings)


def _ollama_name(folder: RunFolder) -> str:
    import re
    return re.sub(r"[^a-z0-9._-]+", "-", (folder.config().name or folder.id).lower()).strip("-")
