"""studio.config: one JobConfig for UI, CLI and YAML; typed overrides; errors that name the
field and what is allowed."""
import pytest

from studio.config import ConfigError, JobConfig, describe_fields, field_info


def test_yaml_round_trip_keeps_every_field(tmp_path):
    cfg = JobConfig(task="classification", name="demo")
    cfg.data.train_file = "reviews.csv"
    cfg.train.learning_rate = 3e-5
    cfg.method.method = "lora"
    path = tmp_path / "job.yaml"
    cfg.to_yaml(path)
    back = JobConfig.from_yaml(path)
    assert back == cfg
    assert back.digest() == cfg.digest()


def test_dotted_overrides_are_cast_by_field_type():
    cfg = JobConfig().override(["train.learning_rate=1e-4", "train.epochs=2",
                                "train.batch_size=8", "train.save_checkpoints=false",
                                "method.method=lora", "train.max_length=none"])
    assert cfg.train.learning_rate == pytest.approx(1e-4)
    assert isinstance(cfg.train.batch_size, int) and cfg.train.batch_size == 8
    assert cfg.train.epochs == 2.0 and cfg.train.save_checkpoints is False
    assert cfg.method.method == "lora" and cfg.train.max_length is None


@pytest.mark.parametrize("override, words", [
    ("train.batch_size=abc", ["train.batch_size", "whole number"]),
    ("train.scheduler=wavy", ["train.scheduler", "linear", "cosine"]),
    ("train.learning_rate=5", ["train.learning_rate", "at most"]),
    ("train.nonsense=1", ["train.nonsense", "learning_rate"]),
    ("method.method", ["key=value"]),
])
def test_bad_overrides_name_the_field_and_the_allowed_values(override, words):
    with pytest.raises(ConfigError) as err:
        JobConfig().override([override])
    for w in words:
        assert w in str(err.value)


def test_bad_yaml_says_where(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("train:\n  epochs: 2\n learning_rate: 1\n")
    with pytest.raises(ConfigError, match="line"):
        JobConfig.from_yaml(p)
    p.write_text("train:\n  epochs: -3\n")
    with pytest.raises(ConfigError, match="train.epochs"):
        JobConfig.from_yaml(p)


def test_every_field_has_help_and_numbers_have_bounds():
    fields = describe_fields()
    assert len(fields) > 30
    for f in fields:
        assert f["help"], f["path"]
        if f["type"] in ("int", "float") and f["path"] != "train.seed":
            assert f["min"] is not None, f["path"]
    assert field_info("train.learning_rate").metadata["max"] == 1e-1


def test_validate_requires_data_and_model():
    with pytest.raises(ConfigError, match="data.train_file"):
        JobConfig().validate()


@pytest.mark.parametrize("override, code, params", [
    ("train.batch_size=abc", "bad_type", {"field": "train.batch_size", "kind": "int"}),
    ("train.batch_size=1.5", "bad_type", {"field": "train.batch_size", "value": "1.5"}),
    ("train.learning_rate=nan", "bad_type", {"field": "train.learning_rate"}),
    ("train.epochs=inf", "bad_type", {"field": "train.epochs"}),
    ("train.save_checkpoints=maybe", "bad_type", {"kind": "bool"}),
    ("train.scheduler=wavy", "bad_choice", {"value": "wavy"}),
    ("train.epochs=0", "too_small", {"min": 0.01}),
    ("train.learning_rate=5", "too_large", {"max": 1e-1}),
    ("train.batch_size=none", "bad_type", {"field": "train.batch_size", "value": "none"}),
])
def test_override_errors_carry_a_code_and_params(override, code, params):
    with pytest.raises(ConfigError) as err:
        JobConfig().override([override])
    assert err.value.code == code
    assert params.items() <= err.value.params.items()


def test_a_null_for_a_required_number_needs_a_value():
    with pytest.raises(ConfigError) as err:
        JobConfig.from_dict({"train": {"batch_size": None}})
    assert err.value.code == "needs_value" and err.value.params == {"field": "train.batch_size"}
    assert str(err.value) == "train.batch_size needs a value."


def test_whole_floats_are_whole_numbers_and_empty_means_decide_for_me():
    cfg = JobConfig().override({"train.batch_size": "8.0", "train.learning_rate": "",
                                "train.dropout": "null", "data.text_column": ""})
    assert cfg.train.batch_size == 8 and isinstance(cfg.train.batch_size, int)
    assert cfg.train.learning_rate is None and cfg.train.dropout is None
    assert cfg.data.text_column == ""


def test_copy_is_independent_and_digest_follows_every_field():
    cfg = JobConfig()
    twin = cfg.copy()
    twin.train.epochs = 5
    assert cfg.train.epochs == 3.0 and cfg.digest() != twin.digest()
    assert JobConfig().digest() == JobConfig().digest()


def test_yaml_text_and_odd_documents(tmp_path):
    cfg = JobConfig.from_yaml("train:\n  epochs: 2\n")
    assert cfg.train.epochs == 2.0 and cfg.task == "auto"
    with pytest.raises(ConfigError, match="does not exist"):
        JobConfig.from_yaml(tmp_path / "missing.yaml")
    (tmp_path / "list.yaml").write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="YAML mapping"):
        JobConfig.from_yaml(tmp_path / "list.yaml")
    (tmp_path / "empty.yaml").write_text("")
    assert JobConfig.from_yaml(tmp_path / "empty.yaml") == JobConfig()
    with pytest.raises(ConfigError, match="train.nonsense"):
        JobConfig.from_dict({"train": {"nonsense": 1}})
    with pytest.raises(ConfigError, match="'train' must be a mapping"):
        JobConfig.from_dict({"train": 3})


def test_recorded_fields_are_left_out_of_forms_and_help():
    shown = {f["path"] for f in describe_fields()}
    everything = {f["path"] for f in describe_fields(recorded=True)}
    recorded = everything - shown
    assert recorded >= {"data.fingerprint", "data.rows_used", "data.rows_excluded", "sweep"}
    lr = next(f for f in describe_fields() if f["path"] == "train.learning_rate")
    assert lr["type"] == "float" and lr["nullable"] and lr["default"] is None


def test_benchmark_overrides_are_real_options():
    """bench/run.py and bench/levers.py pass these to `python -m studio train`; a renamed
    option would otherwise surface only as a failed 30-minute benchmark."""
    import importlib.util
    import sys
    from pathlib import Path
    bench = Path(__file__).resolve().parent.parent / "bench"
    sys.path.insert(0, str(bench))
    try:
        spec = importlib.util.spec_from_file_location("bench_levers", bench / "levers.py")
        levers = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(levers)
    finally:
        sys.path.remove(str(bench))
    overrides = list(levers.bench.STUDIO_COMMON)
    for variants in levers.VARIANTS.values():
        for _, extra in variants:
            overrides += extra
    assert "train.packing=false" in overrides and "train.fast_dropout=false" in overrides
    cfg = JobConfig().override(overrides)
    assert cfg.train.warmup_ratio == 0 and cfg.train.weight_decay == 0
    with pytest.raises(ConfigError):
        JobConfig().override(["train.no_such_lever=1"])
