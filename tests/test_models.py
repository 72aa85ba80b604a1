"""studio.models: presets, where a model comes from, its family, and the tiny offline models."""

import pytest
from transformers import BertConfig, CLIPVisionConfig, GPT2Config, T5Config

from studio import models
from studio.errors import ModelError


def test_presets_resolve_offline_to_a_model_folder():
    location, preset = models.resolve_location("tiny-gpt")
    assert preset is models.PRESETS["tiny-gpt"]
    assert (models.ensure_tiny("tiny-gpt") / "config.json").exists()
    assert location == str(models.ensure_tiny("tiny-gpt"))


def test_a_local_model_folder_is_used_as_is(tmp_path):
    folder = models.ensure_tiny("tiny-bert")
    assert models.resolve_location(str(folder)) == (str(folder), None)
    with pytest.raises(ModelError) as err:
        models.resolve_location(str(tmp_path))
    assert err.value.code == "not_model_dir" and "has no config.json" in str(err.value)


def test_an_unknown_name_lists_the_presets():
    with pytest.raises(ModelError) as err:
        models.resolve_location("bert-tiny")
    assert err.value.code == "unknown_model" and err.value.params["name"] == "bert-tiny"
    assert "tiny-bert" in str(err.value) and "owner/name" in str(err.value)


def test_a_hub_id_offline_fails_at_once_naming_the_offline_choices():
    with pytest.raises(ModelError) as err:
        models.resolve_location("someone/not-cached")
    e = err.value
    assert e.code == "offline_model" and e.params["name"] == "someone/not-cached"
    assert "tiny-bert" in e.params["offline"] and "tiny-bert" in str(e)


@pytest.mark.parametrize("config, family", [
    (BertConfig(), "bert"), (T5Config(), "t5"),
    (GPT2Config(architectures=["GPT2LMHeadModel"]), "gpt"), (GPT2Config(), "gpt")])
def test_family_from_a_models_config(config, family):
    assert models.detect_family(config) == family


def test_an_unsupported_architecture_is_refused():
    with pytest.raises(ModelError) as err:
        models.detect_family(CLIPVisionConfig())
    assert err.value.code == "unknown_family"
    assert err.value.params == {"model_type": "clip_vision_model"}


@pytest.mark.parametrize("task, family, ok", [
    ("classification", "bert", True), ("classification", "gpt", True),
    ("classification", "t5", True), ("chat", "gpt", True), ("text2text", "t5", True),
    ("chat", "bert", False), ("text2text", "bert", False)])
def test_which_families_can_train_which_task(task, family, ok):
    if ok:
        models.check_task_family(task, family)
        return
    with pytest.raises(ModelError) as err:
        models.check_task_family(task, family)
    assert err.value.code == "bert_cannot_generate" and err.value.params == {"task": task}
    assert str(err.value).startswith("BERT-family models cannot generate text; pick a GPT")


def test_load_config_failure_is_a_model_error(tmp_path):
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelError) as err:
        models.load_config(str(tmp_path))
    assert err.value.code == "load_failed"
    cfg = models.load_config(str(models.ensure_tiny("tiny-t5")))
    assert cfg.model_type == "t5" and cfg.d_model == 64


def test_describe_and_list_presets():
    info = models.describe("tiny-t5")
    assert (info.name, info.family, info.preset.name) == ("tiny-t5", "t5", "tiny-t5")
    listed = {p["name"]: p for p in models.list_presets()}
    assert set(listed) == set(models.PRESETS)
    assert listed["tiny-bert"]["offline"] and listed["tiny-bert"]["untrained"]
    chinese = listed["bert-base-chinese"]
    assert chinese["chinese"] and chinese["family"] == "bert"
    assert "tiny-bert" in models.offline_names().split(", ")


def test_first_line_of_an_error():
    assert models.first_line(ValueError("\n  first\nsecond")) == "first"
    assert models.first_line(KeyError()) == "KeyError"

