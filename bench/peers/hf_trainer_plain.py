"""Peer (a): the plain transformers Trainer script a user writes from the library's docs.

SST-2 sentiment with MiniLM: read the TSV with pandas, tokenize with `datasets.map`, pad per
batch with `DataCollatorWithPadding`, default TrainingArguments apart from epochs / batch size /
learning rate (and use_cpu), train, save, then dev accuracy. `hf_trainer_expert.py` runs this
same script with the three settings an expert adds.

    python bench/peers/hf_trainer_plain.py --model DIR --train sst2_train.tsv --dev sst2_dev.tsv
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import (AutoModelForSequenceClassification, AutoTokenizer,  # noqa: E402
                          DataCollatorWithPadding, Trainer, TrainingArguments)

from _bench import FirstLoss, report  # noqa: E402  (measurement only)


def parse_args(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--train", required=True)
    p.add_argument("--dev", required=True)
    p.add_argument("--rows", type=int, default=2000)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--output", default="out-plain")
    return p.parse_args(argv)


def main(argv=None, **expert_settings) -> None:
    a = parse_args(argv)
    train_df = pd.read_csv(a.train, sep="\t", nrows=a.rows, quoting=csv.QUOTE_NONE)
    dev_df = pd.read_csv(a.dev, sep="\t", quoting=csv.QUOTE_NONE)
    train_df = train_df.rename(columns={"sentence": "text"})
    dev_df = dev_df.rename(columns={"content": "text"})

    tokenizer = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForSequenceClassification.from_pretrained(a.model, num_labels=2)

    def tokenize(batch):
        return tokenizer(batch["text"], truncation=True, max_length=a.max_length)

    train_ds = Dataset.from_pandas(train_df).map(tokenize, batched=True, remove_columns=["text"])
    dev_ds = Dataset.from_pandas(dev_df).map(tokenize, batched=True, remove_columns=["text"])

    args = TrainingArguments(output_dir=a.output, num_train_epochs=a.epochs,
                             per_device_train_batch_size=a.batch_size, learning_rate=a.lr,
                             **{"use_cpu": True, **expert_settings})
    first = FirstLoss()
    trainer = Trainer(model=model, args=args, train_dataset=train_ds,
                      data_collator=DataCollatorWithPadding(tokenizer),
                      processing_class=tokenizer, callbacks=[first])
    t = time.time()
    result = trainer.train()
    train_seconds = time.time() - t
    trainer.save_model(os.path.join(a.output, "final"))

    pred = trainer.predict(dev_ds)
    # compare with the labels predict() returns: under group_by_length the Trainer also
    # reorders evaluation rows by length, so dev_df's order would not match
    accuracy = float((np.argmax(pred.predictions, -1) == pred.label_ids).mean())
    print(f"dev accuracy {accuracy:.4f}")

    tokens = sum(len(x) for x in train_ds["input_ids"]) * a.epochs
    report(train_rows=len(train_ds), train_seconds=round(train_seconds, 2),
           train_samples_per_second=round(len(train_ds) * a.epochs / train_seconds, 3),
           train_tokens_per_second=round(tokens / train_seconds, 1),
           trainer_samples_per_second=result.metrics.get("train_samples_per_second"),
           time_to_first_step=first.first_step, time_to_first_loss=first.first_loss,
           train_loss=result.training_loss, quality=accuracy, quality_name="dev_accuracy",
           precision="bf16" if expert_settings.get("bf16") else "fp32")


if __name__ == "__main__":
    main()
