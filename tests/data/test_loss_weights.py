"""loss_weight 0 on a reply: the reply stays in the example as context, nothing learns from it,
and no record of the file is lost (studio.data.conversations -> studio.tasks)."""
from __future__ import annotations

import pandas as pd
import pytest

from data_helpers import fx
from helpers import events_of, make_job, train_in_process
from studio.config import JobConfig
from studio.data.pipeline import inspect_file
from studio.tasks import causal_lm, seq2seq

IGNORE = -100


@pytest.fixture(scope="module")
def gpt_tokenizer():
    from transformers import AutoTokenizer

    from studio.models import resolve_location
    location, _ = resolve_location("tiny-gpt")
    return causal_lm.prepare_tokenizer(AutoTokenizer.from_pretrained(location))


@pytest.fixture(scope="module")
def t5_tokenizer():
    from transformers import AutoTokenizer

    from studio.models import resolve_location
    location, _ = resolve_location("tiny-t5")
    return AutoTokenizer.from_pretrained(location)


def chat_job(max_length: int = 512) -> JobConfig:
    job = JobConfig(task="chat")
    job.train.max_length = max_length
    return job


def find(ids: list[int], piece: list[int]) -> int:
    return next(i for i in range(len(ids) - len(piece) + 1) if ids[i:i + len(piece)] == piece)


def test_weight_zero_reply_tokens_get_no_label(gpt_tokenizer):
    tok = gpt_tokenizer
    examples = inspect_file(fx("parts_weighted.jsonl")).examples
    ds, notes = causal_lm.build_dataset(examples, tok, chat_job())
    assert len(ds) == len(examples) == 8 and notes == []        # every record used
    ids, labels = ds[0]["input_ids"], ds[0]["labels"]
    draft = tok("DRAFT beta", add_special_tokens=False)["input_ids"]
    at = find(ids, draft)                                        # still there, as context
    assert labels[at:at + len(draft)] == [IGNORE] * len(draft)
    learned = [i for i, lab in zip(ids, labels) if lab != IGNORE]
    assert tok.decode(learned) == "alpha<|im_end|>\n"           # only the weighted reply


def test_without_weights_both_replies_are_learned(gpt_tokenizer):
    tok = gpt_tokenizer
    msgs = inspect_file(fx("parts_weighted.jsonl")).examples["messages"][0]
    plain = [{"role": m["role"], "content": m["content"]} for m in msgs]
    enc = causal_lm.encode_conversation(tok, plain, 512)
    learned = [i for i, lab in zip(enc["input_ids"], enc["labels"]) if lab != IGNORE]
    assert tok.decode(learned) == "DRAFT beta<|im_end|>\nalpha<|im_end|>\n"


def test_plain_layout_without_template_weights_too(gpt_tokenizer):
    tok = gpt_tokenizer
    template, tok.chat_template = tok.chat_template, None
    try:
        msgs = [{"role": "user", "content": "q"},
                {"role": "assistant", "content": "skip", "loss_weight": 0},
                {"role": "user", "content": "again"}, {"role": "assistant", "content": "keep"}]
        enc = causal_lm.encode_conversation(tok, msgs, 512)
    finally:
        tok.chat_template = template
    learned = [i for i, lab in zip(enc["input_ids"], enc["labels"]) if lab != IGNORE]
    assert tok.decode(learned) == "keep<|im_end|>"
    assert "skip<|im_end|>" in tok.decode(enc["input_ids"])       # the end mark stays


def test_seq2seq_targets_only_learned_replies(t5_tokenizer):
    tok = t5_tokenizer
    examples = inspect_file(fx("sharegpt_parts.json")).examples
    all_zero = pd.DataFrame({"messages": [[{"role": "user", "content": "x"},
                                           {"role": "assistant", "content": "y",
                                            "loss_weight": 0}]], "_row": [9]})
    frame = pd.concat([examples, all_zero], ignore_index=True)
    ds, notes = seq2seq.build_dataset(frame, tok, chat_job())
    assert len(ds) == 2
    sources = [tok.decode(x, skip_special_tokens=True) for x in ds["input_ids"]]
    targets = [tok.decode(x, skip_special_tokens=True) for x in ds["labels"]]
    assert targets == ["Hello", "learn me"]
    assert sources[1] == "user: Two\nassistant: skip me\nuser: Again"
    assert [(n["code"], n["rows"]) for n in notes] == [("no_target", [9])]
    weighted_last = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                     {"role": "user", "content": "c"},
                     {"role": "assistant", "content": "d", "loss_weight": 0}]
    assert seq2seq.source_target({"messages": weighted_last}) == ("a", "b")


def test_trains_on_every_record_of_a_weighted_chat_file(workspace):
    cfg = make_job(fx("parts_weighted.jsonl"), "tiny-gpt", train__max_steps=2,
                   train__batch_size=4, train__eval_before=False)
    cfg.train.generation_samples = 0
    code, run_dir, _ = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 0, events[-1]
    assert events[-1]["type"] == "done"
    start = next(e for e in events if e["type"] == "start")
    assert start["train_rows"] + start["validation_rows"] == 8
    assert start["validation_rows"] >= 1
