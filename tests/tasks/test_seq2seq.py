"""studio.tasks.seq2seq: source and target text for T5-family models."""
import pandas as pd

from helpers import tiny_tokenizer
from studio.config import JobConfig
from studio.tasks import seq2seq

U1, A1 = {"role": "user", "content": "Say yes"}, {"role": "assistant", "content": "yes"}
U2, A2 = {"role": "user", "content": "Again"}, {"role": "assistant", "content": "yes!"}


def test_source_and_target():
    assert seq2seq.source_target({"prompt": "abc", "response": "ABC"}) == ("abc", "ABC")
    assert seq2seq.source_target({"messages": [U1, A1]}) == ("Say yes", "yes")
    assert seq2seq.source_target({"messages": [U1, A1, U2, A2]}) == \
        ("user: Say yes\nassistant: yes\nuser: Again", "yes!")
    sys = {"role": "system", "content": "Be brief."}
    assert seq2seq.source_target({"messages": [sys, U1, A1]}) == \
        ("system: Be brief.\nuser: Say yes", "yes")


def test_a_reply_weighted_zero_is_never_the_target():
    msgs = [U1, A1, U2, {**A2, "loss_weight": 0}]
    assert seq2seq.source_target({"messages": msgs}) == ("Say yes", "yes")
    unlearned = [U1, {**A1, "loss_weight": 0}]
    assert seq2seq.source_target({"messages": unlearned}) == ("Say yes", "yes")


def test_dataset_targets_and_left_out_conversations():
    tok = tiny_tokenizer("tiny-t5")
    frame = pd.DataFrame({"_row": [0, 1, 2],
                          "messages": [[U1, A1], [U1, {**A1, "loss_weight": 0}], [U1, A1, U2, A2]]})
    job = JobConfig(task="chat")
    job.train.max_length = 64
    ds, notes = seq2seq.build_dataset(frame, tok, job)
    assert len(ds) == 2
    assert ds["labels"] == [tok("yes")["input_ids"], tok("yes!")["input_ids"]]
    assert ds["input_ids"][0] == tok("Say yes")["input_ids"]
    assert ds["length"] == [len(x) for x in ds["input_ids"]]
    (note,) = notes
    assert note["code"] == "no_target" and note["rows"] == [1] and note["count"] == 1


def test_truncation_note_and_collator_pads_labels_with_ignore():
    tok = tiny_tokenizer("tiny-t5")
    frame = pd.DataFrame({"_row": [0, 1], "prompt": ["a" * 30, "b"], "response": ["A", "BB"]})
    job = JobConfig(task="text2text")
    job.train.max_length = 10
    ds, notes = seq2seq.build_dataset(frame, tok, job)
    assert max(ds["length"]) == 10 and notes[0]["code"] == "truncated"
    batch = seq2seq.make_collator(tok)([{k: ds[i][k] for k in ("input_ids", "attention_mask",
                                                                "labels")} for i in range(2)])
    assert batch["labels"].tolist() == [tok("A")["input_ids"] + [-100],
                                        tok("BB")["input_ids"]]
    assert batch["input_ids"].shape == (2, 10)


def test_t5_batches_by_length_instead_of_packing(tmp_path):
    """T5 is not packed (encoder-decoder); its batches are grouped by length to cut padding."""
    from transformers import T5Config, T5ForConditionalGeneration
    from studio.jobs import resolve_packing, training_arguments
    cfg = JobConfig(task="text2text")
    t5 = T5ForConditionalGeneration(T5Config(vocab_size=50, d_model=16, d_ff=32, num_layers=1,
                                             num_heads=2, d_kv=8))
    resolve_packing(cfg, t5)
    assert cfg.train.packing is False and cfg.train.group_by_length is True
    cfg.train.max_length = 64
    args = training_arguments(cfg, tmp_path, rows=100, has_eval=False)
    assert args.train_sampling_strategy == "group_by_length"
