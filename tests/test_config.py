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
