"""studio.tasks.causal_lm: loss on the answers only, exact label masks, padding, generation
prompts, and the Trainer that skips prompt logits."""
import pandas as pd
import pytest
import torch

from helpers import tiny_tokenizer
from studio.config import JobConfig
from studio.tasks import causal_lm
from studio.tasks.causal_lm import IGNORE

CHAT = [{"role": "user", "content": "Say yes"}, {"role": "assistant", "content": "yes"},
        {"role": "user", "content": "Again"}, {"role": "assistant", "content": "yes!"}]


def learned_text(tok, enc) -> str:
    return tok.decode([i for i, lab in zip(enc["input_ids"], enc["labels"]) if lab != IGNORE])


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer("tiny-gpt")


def test_only_assistant_tokens_are_learned(tok):
    enc = causal_lm.encode_conversation(tok, CHAT, 512)
    assert tok.decode(enc["input_ids"]) == tok.apply_chat_template(CHAT, tokenize=False)
    assert learned_text(tok, enc) == "yes<|im_end|>\nyes!<|im_end|>\n"
    assert len(enc["labels"]) == len(enc["input_ids"])


def test_a_reply_weighted_zero_is_context_not_target(tok):
    msgs = [dict(CHAT[0]), {**CHAT[1], "loss_weight": 0}, CHAT[2], CHAT[3]]
    enc = causal_lm.encode_conversation(tok, msgs, 512)
    assert learned_text(tok, enc) == "yes!<|im_end|>\n"
    assert tok.decode(enc["input_ids"]) == tok.apply_chat_template(CHAT, tokenize=False)
    assert causal_lm.learned({"role": "assistant", "content": "x"})
    assert not causal_lm.learned({"role": "user", "content": "x"})


def test_plain_layout_without_a_chat_template(tok):
    plain = tiny_tokenizer("tiny-gpt")
    plain.chat_template = None
    enc = causal_lm.encode_conversation(plain, CHAT[:2], 512)
    assert enc["input_ids"][0] == plain.bos_token_id and enc["labels"][0] == IGNORE
    assert plain.decode(enc["input_ids"][1:]) == \
        "### Instruction:\nSay yes\n\n### Response:\nyes<|im_end|>"
    assert learned_text(plain, enc) == "yes<|im_end|>"  # the end of an answer is learned too
    assert causal_lm.render_prompt(plain, CHAT[:1]) == \
        "### Instruction:\nSay yes\n\n### Response:\n"


def test_max_length_cuts_both_ids_and_labels(tok):
    enc = causal_lm.encode_conversation(tok, CHAT, 10)
    assert len(enc["input_ids"]) == len(enc["labels"]) == 10


def test_rows_without_anything_to_learn_are_left_out_with_a_note(tok):
    frame = pd.DataFrame({"_row": [0, 1], "prompt": ["hi", "x" * 60], "response": ["ok", "y"]})
    job = JobConfig(task="text2text")
    job.train.max_length = 60  # the first prompt and its answer take 47 tokens
    ds, notes = causal_lm.build_dataset(frame, tok, job)
    assert len(ds) == 1 and "_row" not in ds.column_names
    assert ds["length"] == [len(ds["input_ids"][0])]
    note = next(n for n in notes if n["code"] == "no_target")
    assert note["count"] == 1 and note["rows"] == [1] and "max_length (60)" in note["text"]


def test_pad_collator_pads_ids_labels_and_mask():
    batch = causal_lm.PadCollator(pad_id=0, multiple=8)(
        [{"input_ids": [5, 6, 7], "labels": [IGNORE, 6, 7]}, {"input_ids": [9], "labels": [9]}])
    assert batch["input_ids"].tolist() == [[5, 6, 7, 0, 0, 0, 0, 0], [9] + [0] * 7]
    assert batch["labels"].tolist() == [[IGNORE, 6, 7] + [IGNORE] * 5, [9] + [IGNORE] * 7]
    assert batch["attention_mask"].tolist() == [[1, 1, 1] + [0] * 5, [1] + [0] * 7]
    assert causal_lm.PadCollator(0, 1)([{"input_ids": [1, 2, 3], "labels": [1, 2, 3]}]
                                       )["input_ids"].shape == (1, 3)


def test_generation_prompt_and_reference():
    history, reference = causal_lm.split_for_generation({"messages": CHAT})
    assert history == CHAT[:3] and reference == "yes!"
    assert causal_lm.as_messages({"prompt": "p", "response": "r", "messages": None}) == \
        [{"role": "user", "content": "p"}, {"role": "assistant", "content": "r"}]


def test_response_only_loss_equals_the_models_own_loss(tok):
    """Projecting only the learned positions onto the vocabulary changes no number."""
    from transformers import Trainer
    from studio.jobs.adapters import set_dropout
    from studio.models import ensure_tiny
    model = causal_lm.load_model(str(ensure_tiny("tiny-gpt")), None, tokenizer=tok)
    set_dropout(model, 0.0)
    model.train()
    feats = [causal_lm.encode_conversation(tok, CHAT, 512),
             causal_lm.encode_conversation(tok, CHAT[:2], 512)]
    batch = causal_lm.make_collator(tok)(feats)
    cls = causal_lm.make_trainer_class(Trainer)
    got = cls.compute_loss(object.__new__(cls), model, batch)
    want = model(**batch).loss
    assert torch.allclose(got, want, atol=1e-5), (got, want)
    n = int((batch["labels"][:, 1:] != IGNORE).sum())
    summed = cls.compute_loss(object.__new__(cls), model, batch, num_items_in_batch=n)
    assert torch.allclose(summed, want, atol=1e-5)
