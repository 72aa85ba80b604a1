"""One module per task. Each exposes the same small surface, used by studio.training:

  load_model(location, job, labels, trust_remote_code) -> model
  build_dataset(frame, tokenizer, job, labels) -> (datasets.Dataset, notes)  # notes: dicts
  make_collator(tokenizer, model) -> callable
  compute_metrics(labels) -> Trainer compute_metrics function, or None
  generate_eval(model, tokenizer, frame, job) -> dict of generation metrics (generation tasks)

Chat and text2text share a module per family: GPT models learn both as a causal LM with loss
on the response tokens only; T5 models learn both as sequence-to-sequence.

Speed helpers: packing.py (padding-free BERT classification batches), lm_packing.py (the same
for GPT-family causal LMs), lm_loss.py (the causal-LM loss without full logits).
"""
from __future__ import annotations


def task_module(task: str, family: str):
    if task == "classification":
        from . import classification as mod
    elif family == "gpt":
        from . import causal_lm as mod
    else:
        from . import seq2seq as mod
    return mod
