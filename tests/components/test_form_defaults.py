"""The page asks, the engine decides: an untouched form sends each field's config default,
None for every 'decide for me' field, and shows the engine's pick as a placeholder."""
from __future__ import annotations

import gradio as gr
import pytest

from components import form
from studio.config import ConfigError, JobConfig

DATA = {"path": "/data/x.csv", "validation_path": "", "task": "classification", "valid": True}


def page_values():
    """The widgets and the values they send before anyone touches them."""
    with gr.Blocks():
        widgets = form.build_widgets()
    return widgets, {p: w.preprocess(w.value) for p, w in widgets.items()}


def test_decide_for_me_numbers_start_empty_and_go_out_as_none():
    widgets, values = page_values()
    nullable_numbers = [f["path"] for f in form.fields().values() if form.decided_by_engine(f)]
    assert {"train.learning_rate", "train.max_length", "train.dropout"} <= set(nullable_numbers)
    for path in nullable_numbers:
        # Not gr.Number: its frontend shows and sends 0 for None (gradio issue #6728).
        assert isinstance(widgets[path], gr.Textbox), path
        assert widgets[path].value == "" and values[path] == "", path
        assert widgets[path].placeholder is not None, path
    cfg = form.job_config(DATA, {"name": "tiny-bert"}, values)
    assert cfg.train.dropout is None  # was 0.0: every dropout switched off
    assert cfg.train.learning_rate is None and cfg.train.max_length is None


def test_every_widget_starts_at_its_config_default():
    _, values = page_values()
    meta = form.fields()
    for path, value in values.items():
        default = meta[path]["default"]
        if meta[path]["type"] == "bool" and meta[path]["nullable"]:
            assert value == "auto" and default is None, path
        elif form.decided_by_engine(meta[path]):
            assert value == "" and default is None, path
        else:
            assert value == default, path
    cfg = form.job_config(DATA, {"name": "tiny-bert"}, values)
    expected = JobConfig(task="classification")
    expected.data.train_file = DATA["path"]
    expected.model.name = "tiny-bert"
    assert cfg.to_dict() == expected.to_dict()


def test_a_typed_value_wins_and_the_engine_casts_it():
    cfg = form.job_config(DATA, {"name": "tiny-bert"},
                          {"train.dropout": "0", "train.max_length": " 64 ",
                           "train.learning_rate": "1e-4", "train.batch_size": 8.0,
                           "train.freeze_embeddings": "false"})
    assert cfg.train.dropout == 0.0 and cfg.train.max_length == 64
    assert cfg.train.learning_rate == 1e-4 and cfg.train.freeze_embeddings is False
    assert isinstance(cfg.train.max_length, int) and isinstance(cfg.train.batch_size, int)
    assert form.job_config(DATA, {"name": "tiny-bert"}, {"train.dropout": "  "}).train.dropout \
        is None


@pytest.mark.parametrize("path, typed, words", [
    ("train.learning_rate", "fast", "train.learning_rate must be a number, got 'fast'"),
    ("train.dropout", "1.5", "train.dropout is 1.5; it must be at most 0.9"),
    ("train.max_length", "4", "train.max_length is 4; it must be at least 8"),
])
def test_a_wrong_typed_value_is_one_engine_sentence(path, typed, words):
    with pytest.raises(ConfigError) as refusal:
        form.job_config(DATA, {"name": "tiny-bert"}, {path: typed})
    assert str(refusal.value) == words + "."


def test_unnamed_columns_choice_comes_from_the_data_step():
    assert form.job_config(DATA, {"name": "tiny-bert"}, {}).data.unnamed_columns == "join"
    cfg = form.job_config({**DATA, "unnamed_columns": "exclude"}, {"name": "tiny-bert"}, {})
    assert cfg.data.unnamed_columns == "exclude"
    with pytest.raises(ConfigError, match="unnamed_columns"):
        form.job_config({**DATA, "unnamed_columns": "keep"}, {"name": "tiny-bert"}, {})


def test_only_the_roles_the_user_set_go_into_the_job():
    state = {**DATA, "roles": {"text": "review", "label": "stars"},
             "overrides": {"label": "grade", "system": "persona", "bogus": "x"}}
    cfg = form.job_config(state, {"name": "tiny-bert"}, {})
    assert cfg.data.label_column == "grade" and cfg.data.system_column == "persona"
    assert cfg.data.text_column == ""  # the engine's guess is the engine's to make again


def test_the_engine_pick_becomes_the_placeholder():
    resolved = JobConfig()
    resolved.train.learning_rate, resolved.train.max_length = 5e-5, 128
    paths = ["train.learning_rate", "train.max_length", "train.dropout", "train.epochs"]
    picks = form.engine_picks(resolved, paths, "en")
    assert picks == {"train.learning_rate": gr.update(placeholder="auto: 5e-05"),
                     "train.max_length": gr.update(placeholder="auto: 128"),
                     "train.dropout": gr.update(placeholder="auto: the model's own")}
    zh = form.engine_picks(resolved, paths, "zh-CN")
    assert zh["train.dropout"]["placeholder"] == "自动：使用模型自带的值"
