"""studio.tasks.lm_loss: the chunked causal-LM loss gives the full path's loss and gradients
(to 1e-5) without holding batch x length x vocabulary logits."""
import pytest
import torch
import torch.nn.functional as F

from studio.tasks import lm_loss
from studio.tasks.lm_loss import IGNORE


def full_loss(hidden, head, targets):
    return F.cross_entropy(head(hidden).float(), targets, reduction="sum", ignore_index=IGNORE)


@pytest.mark.parametrize("wrap", [False, True], ids=["fused-linear", "checkpointed"])
@pytest.mark.parametrize("bias", [False, True])
def test_chunked_loss_and_gradients_equal_the_full_path(wrap, bias):
    torch.manual_seed(0)
    linear = torch.nn.Linear(16, 50, bias=bias)
    head = torch.nn.Sequential(linear) if wrap else linear  # Sequential: the generic path
    hidden = torch.randn(23, 16, requires_grad=True)
    targets = torch.randint(0, 50, (23,))
    targets[[3, 7, 20]] = IGNORE
    want = full_loss(hidden, head, targets)
    want.backward()
    want_grads = [hidden.grad.clone()] + [p.grad.clone() for p in linear.parameters()]
    hidden.grad = None
    linear.zero_grad()
    got = lm_loss.chunked_cross_entropy(hidden, head, targets, chunk=5)  # 5 chunks, last short
    (got * 0.5).backward()   # a scaled loss scales every gradient (backward honours grad_out)
    assert torch.allclose(got, want, atol=1e-5), (got, want)
    got_grads = [hidden.grad] + [p.grad for p in linear.parameters()]
    for g, w in zip(got_grads, want_grads):
        assert torch.allclose(g, 0.5 * w, atol=1e-5)


def test_frozen_head_gets_no_gradient_and_no_grad_mode_only_sums():
    torch.manual_seed(1)
    head = torch.nn.Linear(8, 30).requires_grad_(False)
    hidden = torch.randn(10, 8, requires_grad=True)
    targets = torch.randint(0, 30, (10,))
    got = lm_loss.chunked_cross_entropy(hidden, head, targets, chunk=4)
    got.backward()
    assert head.weight.grad is None and hidden.grad is not None
    with torch.no_grad():
        again = lm_loss.chunked_cross_entropy(hidden, head, targets, chunk=4)
    assert torch.allclose(again, full_loss(hidden, head, targets), atol=1e-5)


def tiny_llama():
    from transformers import LlamaConfig, LlamaForCausalLM
    torch.manual_seed(0)
    return LlamaForCausalLM(LlamaConfig(vocab_size=300, hidden_size=32, intermediate_size=64,
                                        num_hidden_layers=2, num_attention_heads=4,
                                        num_key_value_heads=2, max_position_embeddings=128,
                                        tie_word_embeddings=True))


def tiny_gpt2():
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(0)
    return GPT2LMHeadModel(GPT2Config(vocab_size=300, n_embd=32, n_layer=2, n_head=4,
                                      n_positions=128, resid_pdrop=0, embd_pdrop=0,
                                      attn_pdrop=0))


def batch_of(vocab: int):
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, vocab, (3, 20), generator=g)
    labels = ids.clone()
    labels[:, :6] = IGNORE          # the prompt
    labels[2, 15:] = IGNORE         # padding of a shorter row
    mask = torch.ones_like(ids)
    mask[2, 15:] = 0
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


@pytest.mark.parametrize("make", [tiny_llama, tiny_gpt2], ids=["llama", "gpt2"])
def test_model_loss_and_weight_gradients_equal_the_models_own(make):
    model = make().train()
    batch = batch_of(model.config.vocab_size)
    want = model(**batch).loss     # the stock mean over learned tokens
    want.backward()
    want_grads = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    total, count = lm_loss.causal_lm_loss_sum(model, batch, chunk=7)
    (total / count).backward()
    assert count == int((batch["labels"][:, 1:] != IGNORE).sum())
    assert torch.allclose(total / count, want, atol=1e-5)
    for n, p in model.named_parameters():
        assert torch.allclose(p.grad, want_grads[n], atol=1e-5), n


def test_logits_memory_is_one_chunk():
    assert lm_loss.CHUNKED is True
    assert lm_loss.logits_bytes(49152, 16 * 512) == lm_loss.CHUNK_TOKENS * 49152 * 4 * 2
    assert lm_loss.logits_bytes(49152, 100) == 100 * 49152 * 4 * 2


def test_heads_that_do_more_than_project_take_the_stock_path():
    model = tiny_llama()
    model.config.final_logit_softcapping = 30.0
    assert lm_loss.decoder_and_head(model) is None
    assert lm_loss.causal_lm_loss_sum(model, batch_of(300)) is None


def test_eval_loss_equals_the_stock_trainers(tmp_path, monkeypatch):
    """Evaluation sums the chunked loss: the stock Trainer's eval_loss to 1e-5."""
    calls = []
    real = lm_loss.causal_lm_loss_sum
    monkeypatch.setattr(lm_loss, "causal_lm_loss_sum",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    from datasets import Dataset
    from transformers import Trainer, TrainingArguments
    from studio.tasks import causal_lm
    model = tiny_llama()
    g = torch.Generator().manual_seed(5)
    rows = []
    for i in range(5):
        ids = torch.randint(0, 300, (8 + 3 * i,), generator=g).tolist()
        rows.append({"input_ids": ids, "labels": [IGNORE] * 4 + ids[4:]})
    args = TrainingArguments(output_dir=str(tmp_path), use_cpu=True, report_to="none",
                             per_device_eval_batch_size=2)
    collator = causal_lm.PadCollator(0, 1)
    losses = []
    for cls in (Trainer, causal_lm.make_trainer_class(Trainer)):
        trainer = cls(model=model, args=args, eval_dataset=Dataset.from_list(rows),
                      data_collator=collator)
        losses.append(trainer.evaluate()["eval_loss"])
    assert abs(losses[0] - losses[1]) < 1e-5, losses
    assert len(calls) == 3   # 5 rows, eval batches of 2: every batch took the chunked path
