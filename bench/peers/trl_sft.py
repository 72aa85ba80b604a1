"""Peer (c): TRL's SFTTrainer for the instruction job, as its docs show it.

Alpaca records become prompt/completion conversations (instruction, plus the input after a blank
line when there is one - the same text the studio builds), so TRL applies the chat template and
computes the loss on the completion only, like the studio. LoRA rank 8 on all linear layers.

Precision: TRL 1.x's SFTConfig already defaults to bf16=True and gradient_checkpointing=True,
so "defaults" here is bf16 with activation recomputation. `--bf16` sets bf16 explicitly and
turns gradient checkpointing off (what a user tuning for speed on a 135M model does: it only
saves memory, at the price of a second forward pass); `--fp32` turns bf16 off.

    python bench/peers/trl_sft.py --model DIR --train train.json --eval eval.json [--bf16|--fp32]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from datasets import Dataset  # noqa: E402
from peft import LoraConfig  # noqa: E402
from trl import SFTConfig, SFTTrainer  # noqa: E402

from _bench import FirstLoss, report  # noqa: E402  (measurement only)


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--eval", required=True)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--output", default="out-trl")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--bf16", action="store_true", help="bf16 autocast, no gradient checkpointing")
    g.add_argument("--fp32", action="store_true", help="no bf16 (TRL's default is bf16)")
    return p.parse_args(argv)


def to_conversation(record: dict) -> dict:
    user = record["instruction"]
    if record.get("input", "").strip():
        user = f"{user}\n\n{record['input']}"
    return {"prompt": [{"role": "user", "content": user}],
            "completion": [{"role": "assistant", "content": record["output"]}]}


def load(path: str) -> Dataset:
    with open(path, encoding="utf-8") as f:
        return Dataset.from_list([to_conversation(r) for r in json.load(f)])


def main(argv=None) -> None:
    a = parse_args(argv)
    extra = {}
    if a.bf16:
        extra = {"bf16": True, "gradient_checkpointing": False}
    elif a.fp32:
        extra = {"bf16": False}
    config = SFTConfig(output_dir=a.output, num_train_epochs=a.epochs,
                       per_device_train_batch_size=a.batch_size, learning_rate=a.lr,
                       max_length=a.max_length, use_cpu=True, report_to="none", **extra)
    lora = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.05, target_modules="all-linear",
                      task_type="CAUSAL_LM")
    first = FirstLoss()
    trainer = SFTTrainer(model=a.model, args=config, train_dataset=load(a.train),
                         eval_dataset=load(a.eval), peft_config=lora, callbacks=[first])
    t = time.time()
    result = trainer.train()
    train_seconds = time.time() - t
    trainer.save_model(os.path.join(a.output, "final"))
    eval_loss = trainer.evaluate()["eval_loss"]
    print(f"eval loss {eval_loss:.4f}")

    rows = len(trainer.train_dataset)
    tokens = sum(len(x) for x in trainer.train_dataset["input_ids"]) * a.epochs
    report(train_rows=rows, train_seconds=round(train_seconds, 2),
           train_samples_per_second=round(rows * a.epochs / train_seconds, 3),
           train_tokens_per_second=round(tokens / train_seconds, 1),
           trainer_samples_per_second=result.metrics.get("train_samples_per_second"),
           time_to_first_step=first.first_step, time_to_first_loss=first.first_loss,
           train_loss=result.training_loss, quality=eval_loss, quality_name="eval_loss",
           precision="fp32" if a.fp32 else "bf16",
           gradient_checkpointing=bool(config.gradient_checkpointing))


if __name__ == "__main__":
    main()
