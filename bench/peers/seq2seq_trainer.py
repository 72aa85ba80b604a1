"""Peer (d): a hand-written Seq2SeqTrainer script (T5) with bf16 on.

input -> target pairs from JSON lines, tokenized with `datasets.map` (targets through
`text_target`), padded per batch by DataCollatorForSeq2Seq (labels padded with -100), bf16
autocast on the CPU; quality is the eval loss on the held-out pairs.

    python bench/peers/seq2seq_trainer.py --model DIR --train train.jsonl --eval eval.jsonl
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from datasets import load_dataset  # noqa: E402
from transformers import (AutoModelForSeq2SeqLM, AutoTokenizer,  # noqa: E402
                          DataCollatorForSeq2Seq, Seq2SeqTrainer, Seq2SeqTrainingArguments)

from _bench import FirstLoss, report  # noqa: E402  (measurement only)


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--eval", required=True)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--output", default="out-seq2seq")
    return p.parse_args(argv)


def main(argv=None) -> None:
    a = parse_args(argv)
    data = load_dataset("json", data_files={"train": a.train, "eval": a.eval})
    tokenizer = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForSeq2SeqLM.from_pretrained(a.model)

    def tokenize(batch):
        return tokenizer(batch["input"], text_target=batch["target"], truncation=True,
                         max_length=a.max_length)

    data = data.map(tokenize, batched=True, remove_columns=["input", "target"])
    args = Seq2SeqTrainingArguments(output_dir=a.output, num_train_epochs=a.epochs,
                                    per_device_train_batch_size=a.batch_size,
                                    learning_rate=a.lr, bf16=True, use_cpu=True,
                                    report_to="none")
    first = FirstLoss()
    trainer = Seq2SeqTrainer(model=model, args=args, train_dataset=data["train"],
                             eval_dataset=data["eval"],
                             data_collator=DataCollatorForSeq2Seq(tokenizer, model=model),
                             processing_class=tokenizer, callbacks=[first])
    t = time.time()
    result = trainer.train()
    train_seconds = time.time() - t
    trainer.save_model(os.path.join(a.output, "final"))
    eval_loss = trainer.evaluate()["eval_loss"]
    print(f"eval loss {eval_loss:.4f}")

    rows = len(data["train"])
    tokens = (sum(len(x) for x in data["train"]["input_ids"])
              + sum(len(x) for x in data["train"]["labels"])) * a.epochs
    report(train_rows=rows, train_seconds=round(train_seconds, 2),
           train_samples_per_second=round(rows * a.epochs / train_seconds, 3),
           train_tokens_per_second=round(tokens / train_seconds, 1),
           trainer_samples_per_second=result.metrics.get("train_samples_per_second"),
           time_to_first_step=first.first_step, time_to_first_loss=first.first_loss,
           train_loss=result.training_loss, quality=eval_loss, quality_name="eval_loss",
           precision="bf16")


if __name__ == "__main__":
    main()
