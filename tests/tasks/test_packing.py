"""studio.tasks.packing: padding-free batches that give exactly the padded batch's logits."""
import json
import random

import pytest
import torch

from helpers import events_of, losses, make_job, train_in_process
from studio import jobs
from studio.tasks.packing import PackedCollator, WIDTH_MULTIPLE, packed_logits, supports


def test_packed_batch_gives_the_padded_batch_logits(data_dir):
    plan = jobs.prepare(make_job(data_dir / "sentiment.csv", "tiny-bert", "classification",
                                 train__precision="fp32"))
    assert plan.cfg.train.packing is True
    ds, _ = plan.task_module.build_dataset(plan.data.train, plan.tokenizer, plan.cfg,
                                           plan.data.labels)
    keys = [k for k in ("input_ids", "token_type_ids", "attention_mask", "labels")
            if k in ds.column_names]
    feats = [{k: ds[i][k] for k in keys} for i in range(24)]
    padded = plan.task_module.make_collator(plan.tokenizer)(feats)
    packed = PackedCollator(plan.tokenizer.pad_token_id, row_tokens=128)(feats)
    assert packed["input_ids"].shape[0] < len(feats)  # several texts share a row
    assert torch.equal(packed["labels"], padded["labels"])
    model = plan.model.eval()
    with torch.no_grad():
        want = model(**{k: v for k, v in padded.items() if k != "labels"}).logits
        got = packed_logits(model, packed)
    assert torch.allclose(got, want, atol=1e-5), (got - want).abs().max()


def test_packing_drops_the_padding_of_mixed_lengths():
    rng = random.Random(0)
    feats = [{"input_ids": [5] * rng.randint(4, 40), "labels": i % 2} for i in range(16)]
    packed = PackedCollator(pad_id=0)(feats)
    real = sum(len(f["input_ids"]) for f in feats)
    assert packed["input_ids"].numel() < 16 * 40 * 0.75  # a padded batch is 16 x longest
    assert packed["input_ids"].numel() - real < 16 * packed["input_ids"].shape[0]
    assert packed["input_ids"].shape[1] % WIDTH_MULTIPLE == 0
    for i, f in enumerate(feats):  # each text sits whole at its recorded start
        r, c = packed["cls_rows"][i], packed["cls_cols"][i]
        n = len(f["input_ids"])
        assert packed["position_ids"][r, c:c + n].tolist() == list(range(n))
        assert packed["packed_mask"][r, 0, c:c + n, c:c + n].all()
        assert packed["packed_mask"][r, 0, c, :].sum() == n  # and sees nothing else
    assert packed["labels"].tolist() == [i % 2 for i in range(16)]


def test_a_text_longer_than_a_row_gets_a_row_of_its_own():
    feats = [{"input_ids": [7] * 100, "labels": 0}, {"input_ids": [8] * 10, "labels": 1}]
    packed = PackedCollator(pad_id=0, row_tokens=64)(feats)
    assert packed["input_ids"].shape == (2, 112)  # 100 rounded up to a multiple of 16
    assert packed["cls_rows"].tolist() == [0, 1] and packed["cls_cols"].tolist() == [0, 0]
    assert packed["input_ids"][1, :10].tolist() == [8] * 10
    assert packed["input_ids"][1, 10:].eq(0).all()
    # padding attends to itself only: no softmax row is fully masked
    assert packed["packed_mask"][1, 0, 50].tolist() == [i == 50 for i in range(112)]


def test_supports_bert_sequence_classifiers_only():
    from transformers import (AutoModelForSequenceClassification, BertConfig,
                              BertForSequenceClassification)
    from studio.models import ensure_tiny
    bert = AutoModelForSequenceClassification.from_pretrained(ensure_tiny("tiny-bert"),
                                                              num_labels=2)
    gpt = AutoModelForSequenceClassification.from_pretrained(ensure_tiny("tiny-gpt"),
                                                             num_labels=2)
    assert supports(bert) and not supports(gpt)
    from peft import LoraConfig, get_peft_model
    lora = get_peft_model(bert, LoraConfig(task_type="SEQ_CLS", target_modules=["query"]))
    assert supports(lora)
    relative = BertForSequenceClassification(BertConfig(
        vocab_size=10, hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
        intermediate_size=8, position_embedding_type="relative_key"))
    assert not supports(relative)


@pytest.mark.heavy
def test_packed_classifier_learns(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__epochs=12,
                   train__eval_strategy="no", train__packing="true")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    ls = losses(events_of(run_dir))
    assert sum(ls[-3:]) / 3 < sum(ls[:3]) / 3 - 0.2
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["after"]["accuracy"] >= 0.8
