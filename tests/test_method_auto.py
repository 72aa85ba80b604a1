"""method.method 'auto' (the default): LoRA for a GPT-family model of LORA_MIN_PARAMETERS or
more, counted from its config on the meta device, full fine-tuning otherwise; the resolved
method is what job.yaml records, the learning rate follows it, and a LoRA choice is said once."""
from __future__ import annotations

import pytest

from helpers import events_of, make_job, train_in_process
from studio import jobs
from studio.config import METHODS, JobConfig, describe_fields
from studio.errors import ConfigError
from studio.jobs import adapters, memory
from studio.jobs.plan import method_parameters, resolve_defaults, resolve_model
from studio.models import PRESETS

# SmolLM2-135M-Instruct's shape (Llama architecture): 134.5M parameters.
SMOL = dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
            num_attention_heads=9, num_key_value_heads=3, vocab_size=49152,
            max_position_embeddings=2048, tie_word_embeddings=True)


def config_only(folder, config) -> str:
    """A model folder holding only config.json: enough for the family, the size and the
    defaults; no weights exist."""
    folder.mkdir(parents=True, exist_ok=True)
    config.save_pretrained(folder)
    assert [p.name for p in folder.iterdir()] == ["config.json"]
    return str(folder)


def job_on(name: str, task: str = "chat", method: str | None = None) -> JobConfig:
    cfg = JobConfig(task=task)
    cfg.data.train_file, cfg.model.name = "x.json", name
    if method:
        cfg.method.method = method
    return cfg


@pytest.fixture
def smol(tmp_path):
    from transformers import LlamaConfig
    return config_only(tmp_path / "SmolLM2-135M-Instruct", LlamaConfig(**SMOL))


@pytest.fixture
def low_threshold(monkeypatch):
    """Every GPT-family model counts as big: the tiny GPT flips to LoRA."""
    monkeypatch.setattr(adapters, "LORA_MIN_PARAMETERS", 1)


# ---- the setting -------------------------------------------------------------------------

def test_auto_is_the_default_and_unknown_methods_are_still_refused():
    assert JobConfig().method.method == "auto" and METHODS == ("auto", "full", "lora")
    for value in METHODS:
        assert JobConfig().override({"method.method": value}).method.method == value
    with pytest.raises(ConfigError) as err:
        JobConfig().override({"method.method": "qlora"})
    assert err.value.code == "bad_choice"
    assert "method.method" in str(err.value) and "auto, full, lora" in str(err.value)
    help_text = next(f for f in describe_fields() if f["path"] == "method.method")["help"]
    assert adapters.short_count(adapters.LORA_MIN_PARAMETERS) in help_text  # says the threshold
    assert "method.auto_reason" not in {f["path"] for f in describe_fields()}  # recorded only


@pytest.mark.parametrize("family, parameters, want", [
    ("gpt", 100_000_000, "lora"), ("gpt", 99_999_999, "full"), ("gpt", 7 * 10**9, "lora"),
    ("gpt", None, "full"),                       # not countable from its config: full
    ("bert", 10**9, "full"), ("t5", 3 * 10**9, "full")])  # BERT/T5: full whatever the size
def test_auto_follows_family_and_size(family, parameters, want):
    assert adapters.LORA_MIN_PARAMETERS == 100_000_000
    assert adapters.auto_method(family, parameters) == want


def test_the_resolved_method_sets_the_learning_rate_and_says_why():
    big = resolve_defaults(job_on("org/SmolLM2-135M-Instruct"), "gpt", None,
                           parameters=134_515_008)
    assert big.method.method == "lora"
    assert big.train.learning_rate == pytest.approx(2e-4)  # gpt 2e-5 x 10 under LoRA
    assert big.method.auto_reason == (
        "LoRA chosen because SmolLM2-135M-Instruct has 135M parameters (full fine-tuning is "
        "the default below 100M); set method.method=full to train every weight.")
    small = resolve_defaults(job_on("org/small"), "gpt", None, parameters=50_000_000)
    assert small.method.method == "full" and small.method.auto_reason == ""
    assert small.train.learning_rate == pytest.approx(2e-5)
    assert small.train.freeze_embeddings is False
    typed = resolve_defaults(job_on("org/big", method="full"), "gpt", None, parameters=10**9)
    assert typed.method.method == "full" and typed.method.auto_reason == ""
    assert typed.train.learning_rate == pytest.approx(2e-5)
    preset = PRESETS["smollm2-135m"]  # a preset's own LoRA learning rate
    chosen = resolve_defaults(job_on("smollm2-135m"), "gpt", preset, parameters=134_515_008)
    assert chosen.train.learning_rate == preset.lora_learning_rate
    bert = resolve_defaults(job_on("org/huge-bert", "classification"), "bert", None,
                            parameters=10**9)
    assert bert.method.method == "full" and bert.train.learning_rate == pytest.approx(3e-5)
    assert bert.train.freeze_embeddings is True  # full fine-tuning's classification default


# ---- the count: from the config, on the meta device -----------------------------------------

def test_a_135m_gpt_config_resolves_to_lora_without_weights(smol):
    cfg = job_on(smol)
    location, family, preset = resolve_model(cfg)
    assert family == "gpt" and preset is None
    n = method_parameters(cfg, family, location)
    assert 134_000_000 < n < 135_000_000
    resolved = resolve_defaults(cfg, family, preset, parameters=n)
    assert resolved.method.method == "lora"
    assert "SmolLM2-135M-Instruct has 135M parameters" in resolved.method.auto_reason
    assert method_parameters(job_on(smol, method="full"), family, location) is None  # not asked
    explicit = resolve_defaults(job_on(smol, method="full"), family, preset, parameters=n)
    assert explicit.method.method == "full"


def test_a_small_gpt_config_and_big_bert_t5_configs_stay_full(tmp_path):
    from transformers import BertConfig, LlamaConfig, T5Config
    small = config_only(tmp_path / "small-llama", LlamaConfig(**{**SMOL, "num_hidden_layers": 2}))
    cfg = job_on(small)
    location, family, preset = resolve_model(cfg)
    n = method_parameters(cfg, family, location)
    assert 20_000_000 < n < 100_000_000
    assert resolve_defaults(cfg, family, preset, parameters=n).method.method == "full"
    for folder, config, task in (
            ("big-bert", BertConfig(hidden_size=1024, num_hidden_layers=24,
                                    num_attention_heads=16, intermediate_size=4096),
             "classification"),
            ("big-t5", T5Config(d_model=1024, d_ff=4096, num_layers=24, num_heads=16),
             "text2text")):
        cfg = job_on(config_only(tmp_path / folder, config), task)
        location, family, preset = resolve_model(cfg)
        assert family in ("bert", "t5")
        assert method_parameters(cfg, family, location) is None  # no count needed
        assert resolve_defaults(cfg, family, preset).method.method == "full"


def test_a_model_the_meta_device_cannot_build_falls_back_to_full(smol, monkeypatch):
    def cannot(*args, **kwargs):
        raise RuntimeError("this architecture needs real weights")
    monkeypatch.setattr(memory, "skeleton", cannot)
    memory._count.cache_clear()
    cfg = job_on(smol)
    location, family, preset = resolve_model(cfg)
    n = method_parameters(cfg, family, location)
    memory._count.cache_clear()
    assert n is None
    assert resolve_defaults(cfg, family, preset, parameters=n).method.method == "full"


# ---- the whole path: preview, run, job.yaml, the note, the page ----------------------------

def test_the_tiny_gpt_trains_in_full(data_dir):
    p = jobs.preview(make_job(data_dir / "chat.json", "tiny-gpt", "chat"))
    assert p.parameters < adapters.LORA_MIN_PARAMETERS
    assert p.cfg.method.method == "full" and p.cfg.method.auto_reason == ""
    assert p.trainable == p.parameters
    assert p.cfg.train.learning_rate == PRESETS["tiny-gpt"].learning_rate


@pytest.mark.heavy
def test_above_the_threshold_the_tiny_gpt_flips_to_lora_and_back(data_dir, low_threshold):
    p = jobs.preview(make_job(data_dir / "chat.json", "tiny-gpt", "chat"))
    assert p.cfg.method.method == "lora" and 0 < p.trainable < p.parameters / 10
    assert p.cfg.train.learning_rate == PRESETS["tiny-gpt"].lora_learning_rate
    assert p.cfg.method.auto_reason.startswith("LoRA chosen because tiny-gpt has ")
    assert p.to_dict()["config"]["method"]["method"] == "lora"
    typed = jobs.preview(make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                                  method__method="full"))
    assert typed.cfg.method.method == "full" and typed.trainable == typed.parameters
    assert typed.cfg.train.learning_rate == PRESETS["tiny-gpt"].learning_rate
    for model, data, task in (("tiny-bert", "sentiment.csv", "classification"),
                              ("tiny-t5", "pairs.csv", "text2text")):
        other = jobs.preview(make_job(data_dir / data, model, task))
        assert other.cfg.method.method == "full" and other.cfg.method.auto_reason == ""


@pytest.mark.heavy
def test_a_run_records_the_resolved_method_and_says_so_once(data_dir, tmp_path, low_threshold):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", train__max_steps=2,
                   train__eval_before="false", train__generation_samples=0,
                   train__save_checkpoints="false")
    assert cfg.method.method == "auto"
    code, run_dir, registry = train_in_process(cfg, tmp_path / "ws")
    events = events_of(run_dir)
    assert code == 0, events[-1]
    import yaml
    assert yaml.safe_load((run_dir / "job.yaml").read_text(encoding="utf-8"))["method"][
        "method"] == "lora"  # never "auto"
    recorded = JobConfig.from_yaml(run_dir / "job.yaml")
    assert recorded.train.learning_rate == PRESETS["tiny-gpt"].lora_learning_rate
    notes = [e for e in events if e["type"] == "message" and e.get("code") == "method_auto"]
    assert [(n["level"], n["text"]) for n in notes] == [("info", recorded.method.auto_reason)]
    assert "tiny-gpt has " in recorded.method.auto_reason
    start = next(e for e in events if e["type"] == "start")
    assert start["method"] == "lora" and start["trainable"] < start["parameters"] / 10
    assert registry.get(run_dir.name).method == "lora"


@pytest.mark.heavy
def test_the_train_step_shows_the_resolved_method(data_dir, low_threshold):
    import gradio as gr
    from components import form, train_step
    with gr.Blocks():
        widget = form.build_widgets()["method.method"]
    assert [value for _, value in widget.choices] == ["auto", "full", "lora"]
    assert widget.value == "auto"
    assert widget.choices[0][0].key == "choice_method.method_auto"  # "auto (by model size)"
    p = jobs.preview(make_job(data_dir / "chat.json", "tiny-gpt", "chat"))
    # The page words the way out with the field on the page ("Method"), the engine's own
    # sentence (CLI, log) with the setting path; both name the model and its size.
    [en] = train_step.method_lines(p, "en")
    assert en.startswith("LoRA chosen because tiny-gpt has ") and "set Method to full" in en
    assert "set method.method=full" in p.cfg.method.auto_reason
    [zh] = train_step.method_lines(p, "zh-CN")
    # The Chinese sentence names the choice on the page, not the raw setting path.
    assert zh.startswith("已选择 LoRA：tiny-gpt 有 ") and "全量微调" in zh
    assert "method.method" not in zh
    full = jobs.preview(make_job(data_dir / "chat.json", "tiny-gpt", "chat",
                                 method__method="full"))
    assert train_step.method_lines(full, "en") == []


def test_sweep_names_and_disk_need_read_auto():
    from studio.disk import needed_mb
    from studio.sweep.grid import candidate_name
    cfg = JobConfig()
    cfg.model.name = "tiny-gpt"
    assert candidate_name(cfg, ["method.method"]) == "tiny-gpt · auto"
    cfg.method.method = "lora"
    assert candidate_name(cfg, ["method.method"]) == "tiny-gpt · LoRA"
    auto, full = JobConfig(), JobConfig().override({"method.method": "full"})
    assert needed_mb(auto, 500) == needed_mb(full, 500)  # not resolved yet: counted as full
