"""Which transformers decoders GGUF export writes, and how each maps onto llama.cpp's tensor
names and hyper-parameters (as llama.cpp's own convert_hf_to_gguf.py does for them).

Llama and Mistral are one GGUF architecture ("llama": the converter registers
MistralForCausalLM under its Llama model), with q/k rows permuted to llama.cpp's rotary
layout; Qwen2 keeps Hugging Face's layout and has q/k/v biases; GPT-2 has learned positions,
LayerNorm with biases, one fused qkv matrix and Conv1D weights stored transposed.
"""
from __future__ import annotations

import numpy as np

from .common import ExportError

# transformers model_type -> GGUF architecture name llama.cpp loads.
GGUF_ARCH = {"llama": "llama", "mistral": "llama", "qwen2": "qwen2", "gpt2": "gpt2"}
SUPPORTED = tuple(GGUF_ARCH)
LAYER_NAMES = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q",
               "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
               "self_attn.o_proj": "attn_output", "post_attention_layernorm": "ffn_norm",
               "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
               "mlp.down_proj": "ffn_down"}
GPT2_LAYER_NAMES = {"ln_1": "attn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output",
                    "ln_2": "ffn_norm", "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down"}
GPT2_TOP = {"transformer.wte": "token_embd", "transformer.wpe": "position_embd",
            "transformer.ln_f": "output_norm"}


def _unexpected(name: str) -> ExportError:
    return ExportError(code="gguf_tensor", tensor=name)


def permute(w: np.ndarray, heads: int) -> np.ndarray:
    """Hugging Face's half-split rotary rows -> llama.cpp's interleaved pairs (its converter)."""
    return (w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def gguf_tensors(model, model_type: str):
    """(llama.cpp name, float32 array) for every weight the file needs."""
    if model_type == "gpt2":
        yield from _gpt2_tensors(model)
        return
    cfg = model.config
    heads, kv_heads = cfg.num_attention_heads, cfg.num_key_value_heads or cfg.num_attention_heads
    tied = bool(getattr(cfg, "tie_word_embeddings", False))
    rotary_permute = GGUF_ARCH[model_type] == "llama"
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
            layer, _, leaf = name[len("model.layers."):].partition(".")
            module, _, kind = leaf.rpartition(".")
            if module not in LAYER_NAMES:
                raise _unexpected(name)
            if rotary_permute and module == "self_attn.q_proj":
                a = permute(a, heads)
            elif rotary_permute and module == "self_attn.k_proj":
                a = permute(a, kv_heads)
            yield f"blk.{layer}.{LAYER_NAMES[module]}.{kind}", a
        elif "rotary_emb" not in name:
            raise _unexpected(name)


def _gpt2_tensors(model):
    embeddings = None
    for name, t in model.state_dict().items():
        a = t.detach().float().cpu().numpy()
        module, _, kind = name.rpartition(".")
        if name.endswith((".attn.bias", ".attn.masked_bias")):
            continue  # causal-mask buffers of older checkpoints, not weights
        if module in GPT2_TOP:
            if module == "transformer.wte":
                embeddings = a
            yield f"{GPT2_TOP[module]}.{kind}", a
        elif name == "lm_head.weight":
            continue  # written below: always tied to the embeddings in GPT-2
        elif module.startswith("transformer.h."):
            layer, _, leaf = module[len("transformer.h."):].partition(".")
            if leaf not in GPT2_LAYER_NAMES:
                raise _unexpected(name)
            if kind == "weight" and leaf.startswith(("attn.", "mlp.")):
                a = a.T.copy()  # Conv1D keeps (in, out); llama.cpp wants nn.Linear's (out, in)
            yield f"blk.{layer}.{GPT2_LAYER_NAMES[leaf]}.{kind}", a
        else:
            raise _unexpected(name)
    if embeddings is not None:  # llama.cpp's GPT-2 reads the output matrix by itself
        yield "output.weight", embeddings


def add_hparams(writer, cfg, model_type: str, name: str, quant: str) -> None:
    import gguf
    writer.add_name(name)
    if model_type == "gpt2":
        writer.add_context_length(cfg.n_positions)
        writer.add_embedding_length(cfg.n_embd)
        writer.add_feed_forward_length(cfg.n_inner or 4 * cfg.n_embd)
        writer.add_block_count(cfg.n_layer)
        writer.add_head_count(cfg.n_head)
        writer.add_layer_norm_eps(float(cfg.layer_norm_epsilon))
        writer.add_vocab_size(cfg.vocab_size)
    else:
        head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
        rope = getattr(cfg, "rope_parameters", None) or {}
        theta = rope.get("rope_theta") or getattr(cfg, "rope_theta", None) or 10000.0
        writer.add_context_length(cfg.max_position_embeddings)
        writer.add_embedding_length(cfg.hidden_size)
        writer.add_block_count(cfg.num_hidden_layers)
        writer.add_feed_forward_length(cfg.intermediate_size)
        writer.add_head_count(cfg.num_attention_heads)
        writer.add_head_count_kv(cfg.num_key_value_heads or cfg.num_attention_heads)
        writer.add_rope_freq_base(float(theta))
        writer.add_layer_norm_rms_eps(float(cfg.rms_norm_eps))
        writer.add_vocab_size(cfg.vocab_size)
        if GGUF_ARCH[model_type] == "llama":
            writer.add_rope_dimension_count(head_dim)
        if head_dim != cfg.hidden_size // cfg.num_attention_heads:
            writer.add_key_length(head_dim)
            writer.add_value_length(head_dim)
    ftype = {"f16": gguf.LlamaFileType.MOSTLY_F16, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}
    writer.add_file_type(ftype[quant])
    if quant != "f16":
        writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
