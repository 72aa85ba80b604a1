"""studio.jobs.adapters: dropout everywhere, frozen embeddings, LoRA, parameter counts."""
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

from studio.config import JobConfig
from studio.errors import ConfigError
from studio.jobs.adapters import adapt, apply_lora, count, set_dropout
from studio.models import ensure_tiny


def bert():
    return AutoModelForSequenceClassification.from_pretrained(ensure_tiny("tiny-bert"),
                                                              num_labels=2)


def gpt():
    return AutoModelForCausalLM.from_pretrained(ensure_tiny("tiny-gpt"))


def job(task="classification", method="full", **train) -> JobConfig:
    cfg = JobConfig(task=task)
    cfg.method.method = method
    for k, v in train.items():
        setattr(cfg.train, k, v)
    return cfg


@pytest.mark.parametrize("make", [bert, gpt])
def test_set_dropout_changes_every_dropout_module_and_the_config(make):
    model = make()
    set_dropout(model, 0.37)
    drops = [m for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    assert drops and all(m.p == 0.37 for m in drops)
    rates = {k: v for k, v in vars(model.config).items()
             if isinstance(v, float) and ("dropout" in k or "pdrop" in k)}
    assert rates and set(rates.values()) == {0.37}


def test_adapt_leaves_dropout_alone_unless_set():
    model = bert()
    before = [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    adapt(model, job(), "bert")
    assert [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)] == before
    adapt(model, job(dropout=0.0), "bert")
    assert all(m.p == 0.0 for m in model.modules() if isinstance(m, torch.nn.Dropout))


def test_freeze_embeddings_freezes_the_word_embeddings_only():
    model = adapt(bert(), job(freeze_embeddings=True), "bert")
    emb = model.get_input_embeddings().weight
    assert emb.requires_grad is False
    others = [p for p in model.parameters() if p is not emb]
    assert others and all(p.requires_grad for p in others)
    total, trainable = count(model)
    assert total == sum(p.numel() for p in model.parameters())
    assert trainable == total - emb.numel()
    free = adapt(bert(), job(freeze_embeddings=False), "bert")
    assert count(free)[1] == count(free)[0]


def test_lora_trains_adapters_and_the_new_head_only():
    cfg = job(method="lora")
    cfg.method.lora_targets = "query,value"
    model = adapt(bert(), cfg, "bert")
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    # The head and the pooler (saved with the adapter so every load is the same) train whole.
    assert trainable and all("lora_" in n or "classifier" in n or "pooler" in n
                             for n in trainable)
    assert any("query.lora_A" in n for n in trainable)
    assert any("value.lora_B" in n for n in trainable)
    assert not any("key" in n for n in trainable)
    total, n_train = count(model)
    assert 0 < n_train < total / 5


def test_lora_all_linear_for_generation():
    cfg = job("chat", "lora")
    cfg.method.lora_targets = "all-linear"
    model = apply_lora(gpt(), cfg, "gpt")
    assert model.peft_config["default"].task_type == "CAUSAL_LM"
    adapted = {n.split(".lora_A")[0].rsplit(".", 1)[-1] for n, _ in model.named_parameters()
               if "lora_A" in n}
    assert {"c_attn", "c_proj", "c_fc"} <= adapted


def test_unknown_lora_targets_name_what_the_model_has():
    cfg = job(method="lora")
    cfg.method.lora_targets = "query, nope ,q_proj"
    with pytest.raises(ConfigError) as err:
        apply_lora(bert(), cfg, "bert")
    e = err.value
    assert e.code == "lora_targets" and e.params["missing"] == ["nope", "q_proj"]
    assert str(e).startswith("method.lora_targets names modules this model does not have: "
                             "nope, q_proj; use 'all-linear' or some of: ")
    assert "query" in str(e) and "dense" in str(e)
