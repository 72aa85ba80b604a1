"""One .gguf file (llama.cpp, Ollama, LM Studio) plus an Ollama Modelfile, written with the
`gguf` package's GGUFWriter from the run's merged weights.

Llama- and Qwen2-architecture decoders only, with llama.cpp's tensor names (token_embd,
blk.N.attn_q ..., output_norm, output). Llama's q/k rows are permuted to llama.cpp's rotary
layout, exactly as its own converter does; Qwen2 needs no permutation. The byte-level BPE
tokenizer goes in as vocabulary, merges, token types, special ids and the chat template.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..runfolder import RunFolder
from .card import write_card
from .common import GGUF_QUANTS, ExportError, Progress, load_model, report
from .modelfile import write_modelfile
from .snippets import gguf_code

SUPPORTED = ("llama", "qwen2")           # transformers model_type == GGUF architecture name
QUANTS = GGUF_QUANTS
LAYER_NAMES = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q",
               "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
               "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
               "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
               "mlp.down_proj": "ffn_down"}
UNSUPPORTED = ("GGUF export works for chat and text runs on Llama- or Qwen2-architecture models "
               "(such as smollm2-135m, smollm2-360m-instruct or qwen2.5-0.5b-instruct)")


def gguf_name(quant: str) -> str:
    return f"model-{quant}.gguf"


def check_supported(folder: RunFolder, info: dict, quant: str) -> None:
    """Refuse early, before any weight is loaded."""
    if quant not in QUANTS:
        raise ExportError(f"The GGUF quantization '{quant}' is not offered; pick one of "
                          f"{', '.join(QUANTS)}.", "gguf_quant", quant=quant)
    if info.get("family") != "gpt" or info.get("task") == "classification":
        raise ExportError(f"{UNSUPPORTED}; run {folder.id} is a {info.get('family')} "
                          f"{info.get('task')} run (try the onnx or merged format).",
                          "gguf_unsupported", family=info.get("family"), task=info.get("task"))
    source = folder.model_dir if info.get("method") != "lora" else Path(info["base_location"])
    try:
        config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a Hub id: ask transformers (from its cache)
        from transformers import AutoConfig
        config = AutoConfig.from_pretrained(str(info["base_location"])).to_dict()
    model_type = config.get("model_type", "")
    if model_type not in SUPPORTED:
        raise ExportError(f"{UNSUPPORTED}; this run's model is a '{model_type}'.",
                          "gguf_unsupported", model_type=model_type)
    rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
    if rope.get("rope_type", rope.get("type", "default")) not in ("default", None):
        raise ExportError(f"GGUF export does not handle the '{rope.get('rope_type')}' rotary "
                          f"scaling of this model yet; use the merged format instead.",
                          "gguf_rope", rope=rope.get("rope_type"))


def permute(w: np.ndarray, heads: int) -> np.ndarray:
    """Hugging Face's half-split rotary rows -> llama.cpp's interleaved pairs (its converter)."""
    return (w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def gguf_tensors(model, arch: str):
    """(llama.cpp name, float32 array) for every weight the file needs."""
    cfg = model.config
    heads, kv_heads = cfg.num_attention_heads, cfg.num_key_value_heads or cfg.num_attention_heads
    tied = bool(getattr(cfg, "tie_word_embeddings", False))
    for name, t in model.state_dict().items():
        a = t.detach().float().cpu().numpy()
        if name == "model.embed_tokens.weight":
            yield "token_embd.weight", a
        elif name == "model.norm.weight":
            yield "output_norm.weight", a
        elif name == "lm_head.weight":
            if not tied:
                yield "output.weight", a
        elif name.startswith("model.layers."):
            rest = name[len("model.layers."):]
            layer, _, leaf = rest.partition(".")
            module, _, kind = leaf.rpartition(".")
            if module not in LAYER_NAMES:
                raise ExportError(f"GGUF export found an unexpected weight '{name}'; use the "
                                  f"merged format for this model.", "gguf_tensor", tensor=name)
            if arch == "llama" and module == "self_attn.q_proj":
                a = permute(a, heads)
            elif arch == "llama" and module == "self_attn.k_proj":
                a = permute(a, kv_heads)
            yield f"blk.{layer}.{LAYER_NAMES[module]}.{kind}", a
        elif "rotary_emb" not in name:
            raise ExportError(f"GGUF export found an unexpected weight '{name}'; use the merged "
                              f"format for this model.", "gguf_tensor", tensor=name)


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
        return "gpt2"
    if kinds == ["Digits", "ByteLevel"] and parts[0].get("individual_digits"):
        return "smollm"
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
    raise ExportError("GGUF export does not know this model's pre-tokenizer, so llama.cpp would "
                      "split text differently; use the merged format instead.", "gguf_tokenizer")


def add_tokenizer(writer, tok, vocab_size: int) -> None:
    import gguf
    spec = json.loads(tok.backend_tokenizer.to_str())
    if spec["model"]["type"] != "BPE":
        raise ExportError("GGUF export handles byte-level BPE tokenizers only; use the merged "
                          "format for this model.", "gguf_tokenizer")
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
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre_tokenizer_name(tok))
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


def add_hparams(writer, cfg, arch: str, name: str, quant: str) -> None:
    import gguf
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    rope = getattr(cfg, "rope_parameters", None) or {}
    theta = rope.get("rope_theta") or getattr(cfg, "rope_theta", None) or 10000.0
    writer.add_name(name)
    writer.add_context_length(cfg.max_position_embeddings)
    writer.add_embedding_length(cfg.hidden_size)
    writer.add_block_count(cfg.num_hidden_layers)
    writer.add_feed_forward_length(cfg.intermediate_size)
    writer.add_head_count(cfg.num_attention_heads)
    writer.add_head_count_kv(cfg.num_key_value_heads or cfg.num_attention_heads)
    writer.add_rope_freq_base(float(theta))
    writer.add_layer_norm_rms_eps(float(cfg.rms_norm_eps))
    writer.add_vocab_size(cfg.vocab_size)
    if arch == "llama":
        writer.add_rope_dimension_count(head_dim)
    if head_dim != cfg.hidden_size // cfg.num_attention_heads:
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
    ftype = {"f16": gguf.LlamaFileType.MOSTLY_F16, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}
    writer.add_file_type(ftype[quant])
    if quant != "f16":
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)


def write_gguf(folder: RunFolder, target: Path, info: dict, quant: str = "f16",
               settings: dict | None = None, progress: Progress | None = None) -> dict:
    import gguf
    check_supported(folder, info, quant)
    report(progress, 0.05, "Loading the model" + (" and merging the LoRA adapter"
                                                  if info.get("method") == "lora" else ""))
    lm = load_model(folder)
    cfg, arch = lm.model.config, lm.model.config.model_type
    target.mkdir(parents=True, exist_ok=True)
    name = gguf_name(quant)
    writer = gguf.GGUFWriter(target / name, arch)
    add_hparams(writer, cfg, arch, folder.config().name or folder.id, quant)
    add_tokenizer(writer, lm.tokenizer, cfg.vocab_size)
    tensors = list(gguf_tensors(lm.model, arch))
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
