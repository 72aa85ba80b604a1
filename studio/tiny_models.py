"""The tiny presets (tiny-bert, tiny-gpt, tiny-t5): 2-layer models with random weights and a
byte-level tokenizer, built locally once into the studio's cache, so tests and demos need no
download at all."""
from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("STUDIO_CACHE") or Path.home() / ".cache" / "fine-tuning-studio"
    return Path(base)



def byte_tokenizer(kind: str):
    """A byte-level tokenizer (256 byte tokens + specials) built locally: no download needed
    and it encodes any language."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast
    specials = {"bert": ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"],
                "gpt": ["<|pad|>", "<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                "t5": ["<pad>", "</s>", "<unk>"]}[kind]
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {tok: i for i, tok in enumerate(specials)}
    for ch in sorted(alphabet):
        vocab[ch] = len(vocab)
    tk = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=specials[1] if kind == "bert"
                              else None))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    if kind == "bert":
        tk.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
            special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
        return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="[PAD]", unk_token="[UNK]",
                                       cls_token="[CLS]", sep_token="[SEP]",
                                       mask_token="[MASK]")
    if kind == "t5":
        tk.post_processor = processors.TemplateProcessing(
            single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", vocab["</s>"])])
        return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", eos_token="</s>",
                                       unk_token="<unk>")
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<|pad|>",
                                  eos_token="<|im_end|>", bos_token="<|endoftext|>")
    tok.chat_template = CHATML_TEMPLATE
    return tok


CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content']"
    " + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\n' }}{% endif %}")


def build_tiny(kind: str, target: Path) -> Path:
    import torch
    from transformers import (BertConfig, BertForMaskedLM, GPT2Config, GPT2LMHeadModel, T5Config,
                              T5ForConditionalGeneration)
    torch.manual_seed(0)
    tok = byte_tokenizer(kind)
    n = len(tok)
    if kind == "bert":
        model = BertForMaskedLM(BertConfig(vocab_size=n, hidden_size=64, num_hidden_layers=2,
                                           num_attention_heads=2, intermediate_size=128,
                                           max_position_embeddings=512,
                                           pad_token_id=tok.pad_token_id))
    elif kind == "gpt":
        model = GPT2LMHeadModel(GPT2Config(vocab_size=n, n_embd=64, n_layer=2, n_head=2,
                                           n_positions=1024, bos_token_id=tok.bos_token_id,
                                           eos_token_id=tok.eos_token_id,
                                           pad_token_id=tok.pad_token_id))
    else:
        model = T5ForConditionalGeneration(T5Config(
            vocab_size=n, d_model=64, d_kv=32, d_ff=128, num_layers=2, num_decoder_layers=2,
            num_heads=2, pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id,
            decoder_start_token_id=tok.pad_token_id))
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    publish(tmp, target)
    return target


def publish(tmp: Path, target: Path) -> None:
    """Move a finished folder into place atomically, so a reader never sees half a model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp.replace(target)
    except OSError:  # another process finished first; theirs is identical
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


def ensure_tiny(name: str) -> Path:
    target = cache_dir() / "models" / name
    if not (target / "config.json").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        build_tiny(name.split("-", 1)[1], target)
    return target
