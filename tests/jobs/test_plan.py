"""studio.jobs.plan: every 'decide for me' field filled once, impossible jobs refused early,
the model loaded with what the job asks for."""
from types import SimpleNamespace

import pandas as pd
import pytest
import torch

from helpers import make_job
from studio import jobs
from studio.config import JobConfig
from studio.errors import ConfigError, DataError, ModelError
from studio.fastdropout import FastDropout
from studio.jobs.plan import (model_max_length, model_width, precheck, resolve,
                              resolve_defaults, resolve_model, resolve_packing)
from studio.models import PRESETS


def cfg_for(task="classification", method="full", **train) -> JobConfig:
    cfg = JobConfig(task=task)
    cfg.data.train_file = "x.csv"
    cfg.model.name = "some/model"
    cfg.method.method = method
    for k, v in train.items():
        setattr(cfg.train, k, v)
    return cfg


# ---- resolve_defaults --------------------------------------------------------------------

def test_a_typed_max_length_beyond_the_model_is_refused():
    with pytest.raises(ConfigError) as err:
        resolve_defaults(cfg_for(max_length=600), "bert", PRESETS["tiny-bert"], model_max=512)
    e = err.value
    assert e.code == "max_length_over_model" and e.params == {"value": 600, "limit": 512,
                                                              "model": "some/model"}
    assert str(e) == ("train.max_length is 600 but some/model reads at most 512 tokens; set it "
                      "to 512 or less.")
    ok = resolve_defaults(cfg_for(max_length=512), "bert", None, model_max=512)
    assert ok.train.max_length == 512


def test_t5_has_no_position_limit():
    cfg = resolve_defaults(cfg_for("text2text", max_length=2048), "t5", None, model_max=512)
    assert cfg.train.max_length == 2048


@pytest.mark.parametrize("task, preset, model_max, want", [
    ("classification", None, None, 128), ("chat", None, None, 512),
    ("chat", None, 100, 100), ("chat", "tiny-gpt", None, 256), ("chat", "tiny-gpt", 200, 200),
    ("classification", "tiny-bert", 512, 128)])
def test_an_empty_max_length_is_the_default_capped_to_the_model(task, preset, model_max, want):
    family = PRESETS[preset].family if preset else "gpt"
    cfg = resolve_defaults(cfg_for(task), family, PRESETS.get(preset), model_max=model_max)
    assert cfg.train.max_length == want


def test_dropout_stays_the_models_own_unless_set():
    assert resolve_defaults(cfg_for(), "bert", None).train.dropout is None
    assert resolve_defaults(cfg_for(dropout=0.2), "bert", None).train.dropout == 0.2


@pytest.mark.parametrize("family, method, want", [("bert", "full", 3e-5), ("gpt", "full", 2e-5),
                                                  ("t5", "full", 3e-4), ("bert", "lora", 3e-4)])
def test_learning_rate_by_family_without_a_preset(family, method, want):
    task = "classification" if family == "bert" else "chat"
    cfg = resolve_defaults(cfg_for(task, method), family, None)
    assert cfg.train.learning_rate == pytest.approx(want)


def test_learning_rate_and_lora_targets_from_the_preset():
    p = PRESETS["tiny-gpt"]
    full = resolve_defaults(cfg_for("chat"), "gpt", p)
    lora = resolve_defaults(cfg_for("chat", "lora"), "gpt", p)
    assert full.train.learning_rate == p.learning_rate
    assert lora.train.learning_rate == p.lora_learning_rate
    assert full.method.lora_targets == "c_attn" and full.model.family == "gpt"
    bert = resolve_defaults(cfg_for(), "bert", PRESETS["tiny-bert"])
    assert bert.method.lora_targets == "query,value"
    assert resolve_defaults(cfg_for("chat"), "gpt", None).method.lora_targets == "all-linear"
    typed = resolve_defaults(cfg_for(learning_rate=1e-5), "gpt", p)
    assert typed.train.learning_rate == 1e-5


def test_embeddings_freeze_for_full_classification_only():
    assert resolve_defaults(cfg_for(), "bert", None).train.freeze_embeddings is True
    assert resolve_defaults(cfg_for(method="lora"), "bert", None).train.freeze_embeddings is False
    assert resolve_defaults(cfg_for("chat"), "gpt", None).train.freeze_embeddings is False
    kept = resolve_defaults(cfg_for(freeze_embeddings=False), "bert", None)
    assert kept.train.freeze_embeddings is False


def test_auto_precision_is_settled_for_the_models_width(monkeypatch):
    monkeypatch.setattr(jobs.numerics, "cpu_has_fast_bf16", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_defaults(cfg_for(), "bert", None, width=64).train.precision == "fp32"
    assert resolve_defaults(cfg_for(), "bert", None, width=384).train.precision == "bf16"
    assert resolve_defaults(cfg_for(), "bert", None).train.precision == "auto"  # width unknown
    typed = resolve_defaults(cfg_for(precision="fp32"), "bert", None, width=384)
    assert typed.train.precision == "fp32"


def test_resolve_defaults_leaves_its_input_alone():
    cfg = cfg_for()
    resolve_defaults(cfg, "bert", PRESETS["tiny-bert"], model_max=512)
    assert cfg.train.max_length is None and cfg.train.learning_rate is None


# ---- resolve_model / resolve ----------------------------------------------------------

def test_a_family_that_does_not_match_the_model_is_refused():
    cfg = cfg_for()
    cfg.model.name, cfg.model.family = "tiny-gpt", "bert"
    with pytest.raises(ModelError) as err:
        resolve_model(cfg)
    assert err.value.code == "family_mismatch" and err.value.params == {
        "family": "gpt", "value": "bert", "model": "tiny-gpt"}
    assert "set model.family to auto or gpt" in str(err.value)
    cfg.model.family = "gpt"
    location, family, preset = resolve_model(cfg)
    assert family == "gpt" and preset is PRESETS["tiny-gpt"] and location.endswith("tiny-gpt")


def test_resolve_records_task_roles_fingerprint_and_row_counts(data_dir):
    cfg, family, _location, preset, data = resolve(make_job(data_dir / "sentiment.csv",
                                                            "tiny-bert"))
    assert cfg.task == "classification" and family == "bert" and preset.name == "tiny-bert"
    assert len(data.train) == 216 and len(data.validation) == 24
    assert cfg.data.rows_used == 240 and cfg.data.rows_excluded == 0
    assert len(cfg.data.fingerprint) >= 12
    assert cfg.data.text_column == "text" and cfg.data.label_column == "label"
    assert cfg.train.max_length == 128 and cfg.train.learning_rate == 1e-3
    again = resolve(cfg)[0]
    assert again.data.fingerprint == cfg.data.fingerprint and again.digest() == cfg.digest()


def test_bert_refuses_generation_before_reading_data(tmp_path):
    cfg = make_job(tmp_path / "not-there.csv", "tiny-bert", "chat")
    with pytest.raises(ModelError) as err:
        resolve(cfg)
    assert err.value.code == "bert_cannot_generate"


def test_a_label_column_that_is_really_text_is_refused(tmp_path):
    path = tmp_path / "three.csv"
    pd.DataFrame({"text": [f"row {i}" for i in range(30)],
                  "label": ["a", "b", "c"] * 10}).to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        resolve(make_job(path, "tiny-bert", "classification", data__max_labels=2))
    assert err.value.code == "too_many_labels"
    assert err.value.params["labels"] == 3 and err.value.params["limit"] == 2
    assert "data.max_labels" in str(err.value)
    assert resolve(make_job(path, "tiny-bert", "classification"))[4].labels == ["a", "b", "c"]


# ---- precheck ---------------------------------------------------------------------------

def test_precheck_refuses_what_a_run_would_refuse_without_reading_data(tmp_path):
    garbage = tmp_path / "not-really.csv"
    garbage.write_bytes(b"\x00\xff" * 10)  # never read: precheck only looks for the file
    assert precheck(make_job(garbage, "tiny-bert")) is None
    with pytest.raises(DataError) as err:
        precheck(make_job(tmp_path / "missing.csv", "tiny-bert"))
    assert err.value.code == "train_file_missing"
    assert str(err.value) == f"The training file {tmp_path / 'missing.csv'} does not exist; " \
                             f"check the path."
    cfg = make_job(garbage, "tiny-bert", data__validation_file=str(tmp_path / "val.csv"))
    with pytest.raises(DataError, match="The validation file"):
        precheck(cfg)
    with pytest.raises(ModelError) as err:
        precheck(make_job(garbage, "tiny-bert", "chat"))
    assert err.value.code == "bert_cannot_generate"
    with pytest.raises(ConfigError) as err:
        precheck(make_job(garbage, "tiny-bert", train__max_length=4096))
    assert err.value.code == "max_length_over_model"
    with pytest.raises(ModelError) as err:
        precheck(make_job(garbage, "nope"))
    assert err.value.code == "unknown_model"


# ---- prepare / packing -----------------------------------------------------------------

def test_prepare_loads_the_model_the_job_describes(data_dir):
    plan = jobs.prepare(make_job(data_dir / "sentiment.csv", "tiny-bert"))
    assert plan.family == "bert" and plan.data.labels == ["negative", "positive"]
    assert plan.model.config.num_labels == 2
    assert plan.model.config.id2label == {0: "negative", 1: "positive"}
    emb = plan.model.get_input_embeddings().weight
    assert not emb.requires_grad  # frozen for full classification
    assert plan.parameters == sum(p.numel() for p in plan.model.parameters())
    assert plan.trainable == plan.parameters - emb.numel()
    kinds = {type(m) for m in plan.model.modules()}
    assert FastDropout in kinds and torch.nn.Dropout not in kinds
    off = jobs.prepare(make_job(data_dir / "sentiment.csv", "tiny-bert",
                                train__fast_dropout="false"))
    assert FastDropout not in {type(m) for m in off.model.modules()}


def test_prepare_without_weights_and_with_notes(data_dir, tmp_path):
    path = tmp_path / "dups.csv"
    rows = pd.read_csv(data_dir / "sentiment.csv")
    pd.concat([rows, rows.head(5)]).to_csv(path, index=False)
    notes = []
    plan = jobs.prepare(make_job(path, "tiny-bert"), log_note=lambda **n: notes.append(n),
                        load_model=False)
    assert plan.model is None and plan.tokenizer is None
    assert notes and all({"level", "code", "text"} <= set(n) for n in notes)


def test_same_seed_same_new_head(data_dir):
    a = jobs.prepare(make_job(data_dir / "sentiment.csv", "tiny-bert", train__seed=3))
    b = jobs.prepare(make_job(data_dir / "sentiment.csv", "tiny-bert", train__seed=3))
    c = jobs.prepare(make_job(data_dir / "sentiment.csv", "tiny-bert", train__seed=4))
    assert torch.equal(a.model.classifier.weight, b.model.classifier.weight)
    assert not torch.equal(a.model.classifier.weight, c.model.classifier.weight)


@pytest.mark.heavy
def test_packing_is_auto_for_bert_only_and_refused_elsewhere(data_dir):
    def packing(model, **o):
        return jobs.prepare(make_job(data_dir / "sentiment.csv", model, "classification", **o)
                            ).cfg.train.packing
    assert packing("tiny-bert") is True
    assert packing("tiny-gpt") is False
    assert packing("tiny-bert", train__packing="false") is False
    with pytest.raises(ConfigError) as err:
        packing("tiny-gpt", train__packing="true")
    assert err.value.code == "packing_unsupported"
    assert "train.packing works for BERT-family" in str(err.value)


def test_packing_is_on_for_a_packable_decoder_and_off_for_other_generation_models():
    import transformers as tf
    llama = tf.LlamaForCausalLM(tf.LlamaConfig(vocab_size=32, hidden_size=16,
                                               intermediate_size=32, num_hidden_layers=1,
                                               num_attention_heads=2, num_key_value_heads=2))
    cfg = cfg_for("chat")
    resolve_packing(cfg, llama)
    assert cfg.train.packing is True
    cfg = cfg_for("chat")
    resolve_packing(cfg, torch.nn.Linear(1, 1))  # no packed-attention support: padded batches
    assert cfg.train.packing is False


def test_model_width_and_positions_from_any_config_spelling():
    assert model_width(SimpleNamespace(hidden_size=64)) == 64
    assert model_width(SimpleNamespace(d_model=512)) == 512
    assert model_width(SimpleNamespace(n_embd=768)) == 768
    assert model_width(SimpleNamespace(dim=0)) is None
    assert model_max_length(SimpleNamespace(max_position_embeddings=512)) == 512
    assert model_max_length(SimpleNamespace(n_positions=1024)) == 1024
    assert model_max_length(SimpleNamespace()) is None
