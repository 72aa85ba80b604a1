"""Tiny Llama / Mistral / Qwen2 / GPT-2 decoders built offline: the architectures GGUF export
supports."""
from __future__ import annotations

from pathlib import Path

import torch

CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + "
          "message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|im_start|>assistant\n' }}{% endif %}")


def build_tiny_decoder(target: Path, arch: str = "llama", tie: bool = False) -> Path:
    """A 2-layer Llama (or Mistral, Qwen2, GPT-2) with random weights and a small byte-level
    BPE tokenizer trained here (real merges, ChatML specials): what GGUF export supports, built
    offline."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM,
                              MistralConfig, MistralForCausalLM, PreTrainedTokenizerFast,
                              Qwen2Config, Qwen2ForCausalLM)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    corpus = ["Repeat the word hello. hello", "The quick brown fox jumps over the lazy dog.",
              "user assistant system: you are a helpful assistant"] * 20
    tk.train_from_iterator(corpus, trainer)
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<|im_start|>",
                                  eos_token="<|im_end|>", pad_token="<|im_end|>",
                                  unk_token="<|endoftext|>")
    tok.chat_template = CHATML
    torch.manual_seed(0)
    if arch == "gpt2":  # 1024 positions: transformers' GGUF reader ignores the stored length
        model = GPT2LMHeadModel(GPT2Config(
            vocab_size=len(tok), n_embd=64, n_layer=2, n_head=4, n_positions=1024,
            bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
            pad_token_id=tok.pad_token_id))
    else:
        config_cls, model_cls = {"llama": (LlamaConfig, LlamaForCausalLM),
                                 "mistral": (MistralConfig, MistralForCausalLM),
                                 "qwen2": (Qwen2Config, Qwen2ForCausalLM)}[arch]
        extra = {"sliding_window": None} if arch == "mistral" else {}
        model = model_cls(config_cls(
            vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
            tie_word_embeddings=tie, bos_token_id=tok.bos_token_id,
            eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, **extra))
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2)  # larger than the default init, so any layout error shows
    model.save_pretrained(target)
    tok.save_pretrained(target)
    return target
