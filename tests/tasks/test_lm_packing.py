"""studio.tasks.lm_packing: GPT-family chat / text2text examples packed into rows with restarted
positions give the unpacked batch's loss (to 1e-5) on tiny Llama and GPT-2 models."""
import pytest
import torch

from helpers import tiny_tokenizer
from studio.tasks import causal_lm, lm_loss, lm_packing
from studio.tasks.causal_lm import IGNORE
from studio.tasks.lm_packing import PackedLMCollator

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()


def conversations(n: int) -> list[list[dict]]:
    out = []
    for i in range(n):
        ask = " ".join(WORDS[(i + j) % 10] for j in range(1 + 3 * i % 7))
        answer = " ".join(WORDS[(2 * i + j) % 10] for j in range(1 + (5 * i) % 9))
        out.append([{"role": "user", "content": ask}, {"role": "assistant", "content": answer}])
    out[1] = [*out[1], {"role": "user", "content": "more"},
              {"role": "assistant", "content": "no", "loss_weight": 0}]  # context, not target
    return out


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer("tiny-gpt")


def tiny_llama(vocab: int):
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64,
                                        num_hidden_layers=2, num_attention_heads=4,
                                        num_key_value_heads=2, max_position_embeddings=512))


def tiny_gpt(vocab: int):
    from studio.jobs.adapters import set_dropout
    from studio.models import ensure_tiny
    model = causal_lm.load_model(str(ensure_tiny("tiny-gpt")), None)
    set_dropout(model, 0.0)
    return model


def loss_of(model, batch, n):
    cls = causal_lm.make_trainer_class(__import__("transformers").Trainer)
    return cls.compute_loss(object.__new__(cls), model, batch, num_items_in_batch=n)


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "logits_to_keep"])
@pytest.mark.parametrize("make", [tiny_llama, tiny_gpt], ids=["llama", "gpt2"])
def test_packed_rows_give_the_unpacked_loss(tok, make, chunked, monkeypatch):
    monkeypatch.setattr(lm_loss, "CHUNKED", chunked)
    model = make(len(tok)).train()
    assert lm_packing.supported_model(model)
    feats = [causal_lm.encode_conversation(tok, c, 512) for c in conversations(7)]
    padded = causal_lm.make_collator(tok)(feats)
    packed = PackedLMCollator(tok.pad_token_id, row_tokens=96)(feats)
    n = int((padded["labels"][:, 1:] != IGNORE).sum())
    assert int((packed["labels"] != IGNORE).sum()) == n   # the same learned tokens
    assert packed["input_ids"].shape[0] < len(feats)       # examples share rows
    assert packed["input_ids"].numel() < padded["input_ids"].numel()
    assert "attention_mask" not in packed
    want, got = loss_of(model, padded, n), loss_of(model, packed, n)
    assert torch.allclose(got, want, atol=1e-5), (got, want)
    got.backward()   # and it trains: gradients flow through the packed path
    assert model.get_input_embeddings().weight.grad.abs().sum() > 0


def test_rows_restart_positions_and_never_learn_an_examples_first_token():
    feats = [{"input_ids": [5, 6, 7], "labels": [5, 6, 7]},
             {"input_ids": [8, 9], "labels": [IGNORE, 9]},
             {"input_ids": [1, 2, 3, 4, 5], "labels": [IGNORE] * 3 + [4, 5]}]
    out = PackedLMCollator(0, row_tokens=8)(feats)
    # longest first: [1..5] then [5 6 7] fill row 0 (8 tokens); [8 9] opens row 1
    assert out["input_ids"].shape == (2, 16)
    assert out["input_ids"][0, :8].tolist() == [1, 2, 3, 4, 5, 5, 6, 7]
    assert out["position_ids"][0, :8].tolist() == [0, 1, 2, 3, 4, 0, 1, 2]
    assert out["labels"][0, :8].tolist() == [IGNORE] * 3 + [4, 5, IGNORE, 6, 7]
    assert out["position_ids"][1, :4].tolist() == [0, 1, 0, 1]  # padding tail: its own example
    assert out["labels"][1].tolist() == [IGNORE, 9] + [IGNORE] * 14


def test_t5_and_classification_heads_are_not_packed_as_lm():
    from transformers import T5Config, T5ForConditionalGeneration
    t5 = T5ForConditionalGeneration(T5Config(vocab_size=50, d_model=16, d_ff=32, num_layers=1,
                                             num_heads=2, d_kv=8))
    assert not lm_packing.supported_model(t5)


@pytest.mark.heavy
def test_auto_packs_gpt_chat_and_trains_on_packed_rows(data_dir, workspace):
    """train.packing empty = on for GPT-family chat; the run trains from packed rows."""
    from helpers import events_of, losses, make_job, train_in_process
    from studio import jobs
    plan = jobs.prepare(make_job(data_dir / "chat.json", "tiny-gpt"))
    assert plan.cfg.train.packing is True
    from studio.config import JobConfig
    from studio.runfolder import RunFolder
    code, run_dir, _ = train_in_process(make_job(data_dir / "chat.json", "tiny-gpt",
                                                 train__eval_before="false"), workspace)
    events = events_of(run_dir)
    assert code == 0 and events[-1]["type"] == "done" and losses(events)
    assert JobConfig.from_yaml(RunFolder(run_dir).job_file).train.packing is True
