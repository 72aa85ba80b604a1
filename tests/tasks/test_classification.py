"""studio.tasks.classification: tokenized rows, metrics for the Trainer, per-row outputs."""
import numpy as np
import pandas as pd
import pytest
from transformers import EvalPrediction

from helpers import tiny_tokenizer
from studio.config import JobConfig
from studio.tasks import classification


def job(max_length=64, packing=None) -> JobConfig:
    cfg = JobConfig(task="classification")
    cfg.train.max_length, cfg.train.packing = max_length, packing
    return cfg


FRAME = pd.DataFrame({"_row": [0, 1, 2], "text": ["good film", "bad", "x" * 40],
                      "label": ["pos", "neg", "pos"]})


def test_dataset_maps_labels_to_indices_and_records_lengths():
    tok = tiny_tokenizer("tiny-bert")
    ds, notes = classification.build_dataset(FRAME, tok, job(), ["neg", "pos"])
    assert ds["labels"] == [1, 0, 1]
    assert ds["length"] == [len(x) for x in ds["input_ids"]] == [11, 5, 42]  # [CLS] .. [SEP]
    assert ds["input_ids"][1] == tok("bad")["input_ids"]
    assert notes == []


def test_long_texts_are_cut_with_a_note():
    ds, notes = classification.build_dataset(FRAME, tiny_tokenizer("tiny-bert"), job(16),
                                             ["neg", "pos"])
    assert max(ds["length"]) == 16
    assert [n["code"] for n in notes] == ["truncated"] and notes[0]["count"] == 1


def test_text_pairs_are_encoded_together():
    tok = tiny_tokenizer("tiny-bert")
    frame = FRAME.assign(text_pair=["a", "b", "c"])
    ds, _ = classification.build_dataset(frame, tok, job(), ["neg", "pos"])
    assert ds["input_ids"][1] == tok("bad", "b")["input_ids"]
    assert ds["input_ids"][1].count(tok.sep_token_id) == 2


def test_compute_metrics_gives_the_trainer_scalars():
    fn = classification.compute_metrics(["neg", "pos"])
    logits = np.array([[2.0, 0.0], [0.0, 1.0], [3.0, 1.0], [0.0, 5.0]])
    out = fn(EvalPrediction(predictions=logits, label_ids=np.array([0, 1, 1, 1])))
    assert out == {"accuracy": 0.75, "macro_f1": pytest.approx((2 / 3 + 0.8) / 2)}
    out = fn(EvalPrediction(predictions=(logits, None), label_ids=np.array([0, 1, 0, 1])))
    assert out["accuracy"] == 1.0  # a tuple of outputs: the logits come first


def test_packed_collator_only_when_packing():
    tok = tiny_tokenizer("tiny-bert")
    assert classification.packed_collator(job(packing=False), tok) is None
    collator = classification.packed_collator(job(packing=True), tok)
    assert collator.pad_id == tok.pad_token_id
    assert classification.generate_eval(None, tok, FRAME, job()) == {}


def test_detailed_eval_keeps_each_prediction_with_its_own_row(tmp_path):
    """Under group_by_length the eval sampler would reorder rows by length."""
    from transformers import Trainer, TrainingArguments
    from studio.models import ensure_tiny
    tok = tiny_tokenizer("tiny-bert")
    labels = ["neg", "pos"]
    frame = pd.DataFrame({"_row": [5, 6, 7, 8], "text": ["a" * 30, "b", "c" * 12, "d" * 3],
                          "label": ["pos", "neg", "neg", "pos"]})
    model = classification.load_model(str(ensure_tiny("tiny-bert")), None, labels)
    ds, _ = classification.build_dataset(frame, tok, job(), labels)
    args = TrainingArguments(output_dir=str(tmp_path), per_device_eval_batch_size=2,
                             report_to="none", use_cpu=True,
                             train_sampling_strategy="group_by_length")
    trainer = Trainer(model=model, args=args, eval_dataset=ds,
                      data_collator=classification.make_collator(tok))
    metrics, rows = classification.detailed_eval(trainer, ds, frame, labels)
    assert [(r["row"], r["text"], r["label"]) for r in rows] == \
        list(zip([5, 6, 7, 8], frame["text"], frame["label"]))
    assert trainer.args.train_sampling_strategy == "group_by_length"  # put back
    model.eval()
    import torch
    with torch.no_grad():
        probs = torch.softmax(model(**tok(list(frame["text"]), padding=True,
                                          return_tensors="pt")).logits, -1)
    for i, r in enumerate(rows):
        assert r["predicted"] == labels[int(probs[i].argmax())]
        assert r["confidence"] == pytest.approx(float(probs[i].max()), abs=1e-4)
    assert metrics["accuracy"] == np.mean([r["predicted"] == r["label"] for r in rows])
    assert metrics["eval_loss"] > 0 and len(metrics["confusion_matrix"]) == 2


def test_a_dataset_tokenized_in_slices_equals_one_tokenized_whole(monkeypatch):
    import pandas as pd
    from studio.config import JobConfig
    from studio.tasks import classification
    from studio.tiny_models import byte_tokenizer
    tok = byte_tokenizer("bert")
    frame = pd.DataFrame({"text": [f"review {i} " * (i % 7 + 1) for i in range(53)],
                          "label": ["pos", "neg"] * 26 + ["pos"]})
    job = JobConfig(task="classification")
    job.train.max_length = 16
    whole, notes_whole = classification.build_dataset(frame, tok, job, ["neg", "pos"])
    monkeypatch.setattr(classification, "ENCODE_ROWS", 10)
    sliced, notes_sliced = classification.build_dataset(frame, tok, job, ["neg", "pos"])
    assert sliced.to_dict() == whole.to_dict() and len(sliced) == 53
    assert notes_sliced == notes_whole
