"""One module per task, picked by `task_module(task, family)`. What its callers use
(studio.jobs.plan.prepare, studio.training, studio.inference, studio.jobs.memory):

  prepare_tokenizer(tokenizer) -> tokenizer  # with a pad token (decoders often lack one)
  load_model(location, job, labels, trust_remote_code, tokenizer) -> model
  build_dataset(frame, tokenizer, job, labels) -> (datasets.Dataset, notes)  # notes: dicts
  make_collator(tokenizer, model) -> callable
  compute_metrics(labels) -> Trainer compute_metrics function, or None
  generate_eval(model, tokenizer, frame, job) -> generation metrics and "samples" rows
  detailed_eval(trainer, dataset, frame, labels) -> (metrics, rows)  # classification's eval
  make_trainer_class(base), packed_collator(job, tokenizer)  # optional: packing, the loss

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
