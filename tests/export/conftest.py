"""Trained runs the export tests share (each trained once per session, a few seconds each)."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from helpers import make_job, train_in_process
from studio.runfolder import RunFolder


def build_tiny_decoder(target: Path, arch: str = "llama", tie: bool = False) -> Path:
    """A 2-layer Llama (or Qwen2) with random weights and a small byte-level BPE tokenizer
    trained here (real merges, ChatML specials): what GGUF export supports, built offline."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast,
                              Qwen2Config, Qwen2ForCausalLM)
    from studio.models import CHATML_TEMPLATE
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
    tok.chat_template = CHATML_TEMPLATE
    config_cls, model_cls = {"llama": (LlamaConfig, LlamaForCausalLM),
                             "qwen2": (Qwen2Config, Qwen2ForCausalLM)}[arch]
    torch.manual_seed(0)
    model = model_cls(config_cls(
        vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
        tie_word_embeddings=tie, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id))
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2)  # larger than the default init, so any layout error shows
    model.save_pretrained(target)
    tok.save_pretrained(target)
    return target


@pytest.fixture(scope="session")
def export_ws(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("export-ws")


def _train(cfg, ws: Path) -> Path:
    code, run_dir, _ = train_in_process(cfg, ws)
    assert code == 0, RunFolder(run_dir).log_file.read_text()[-2000:]
    return run_dir


@pytest.fixture(scope="session")
def bert_run(data_dir, export_ws) -> Path:
    """tiny-bert, full fine-tuning, classification."""
    return _train(make_job(data_dir / "sentiment.csv", "tiny-bert", train__epochs=1), export_ws)


@pytest.fixture(scope="session")
def gpt_lora_run(data_dir, export_ws) -> Path:
    """tiny-gpt (GPT-2 architecture), LoRA, chat."""
    return _train(make_job(data_dir / "chat.json", "tiny-gpt", method__method="lora",
                           train__epochs=1, train__learning_rate=0.05), export_ws)


@pytest.fixture(scope="session")
def llama_lora_run(data_dir, export_ws, tmp_path_factory) -> Path:
    """A tiny random Llama with a LoRA adapter trained on chat data, and a system prompt."""
    base = build_tiny_decoder(tmp_path_factory.mktemp("tiny-llama") / "model")
    return _train(make_job(data_dir / "chat.json", str(base), method__method="lora",
                           train__epochs=1, train__learning_rate=0.05,
                           data__system_prompt="You repeat words."), export_ws)
