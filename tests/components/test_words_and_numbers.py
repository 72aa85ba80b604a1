"""One place formats numbers, durations and metric names, in the page's language; one place
checks a settings form, from the config's field metadata, naming each field by its label."""
from __future__ import annotations

import pytest

from components import fmt, form
from components.i18n import error_text, setting_text


def test_numbers_read_as_numbers():
    assert fmt.number(None) == "-" and fmt.number(float("nan")) == "-"
    assert fmt.number(0.95) == "0.95" and fmt.number(0.636123) == "0.6361"
    assert fmt.number(5e-5) == "5e-05" and fmt.number(1234567) == "1,234,567"
    assert fmt.speed(28.921034) == "28.9" and fmt.speed(412.34) == "412"  # not 28.9210
    assert fmt.count(4_400_000) == "4.4M" and fmt.count(512) == "512"
    # a column of scores keeps its decimals: 0.5000 next to 0.7500
    assert [fmt.metric(v) for v in (0.5, 0.75, 12.345, 123.45, 51234.5)] == [
        "0.5000", "0.7500", "12.35", "123.5", "51,234"]


def test_durations_in_both_languages():
    assert fmt.duration(45, "en") == "45 s" and fmt.duration(45, "zh-CN") == "45 秒"
    assert fmt.duration(185, "en") == "3 min 05 s"
    assert fmt.duration(4800, "zh-CN") == "1 小时 20 分"
    assert fmt.duration(None, "en") == "-"


def test_metric_names_are_words_in_both_languages():
    assert fmt.metric_name("macro_f1", "en") == "macro-F1"
    assert fmt.metric_name("macro_f1", "zh-CN") == "宏 F1"
    assert fmt.metric_name("accuracy", "zh-CN") == "准确率"
    assert fmt.metric_name("before_accuracy", "zh-CN") == "训练前准确率"
    assert fmt.metric_name("brand_new", "zh-CN") == "brand_new"  # unknown: as the engine wrote
    line = fmt.metrics_line({"macro_f1": 0.9499, "accuracy": 0.95, "steps": 36,
                             "before_accuracy": 0.5, "train_loss": 0.62}, "zh-CN")
    assert line == "准确率 0.9500，宏 F1 0.9499，训练损失 0.6200"  # no raw keys, no steps


WRONG = [  # path, typed, English, Chinese
    ("train.learning_rate", "1e9", "Learning rate must be at most 0.1; 1000000000 is too large.",
     "学习率最多为 0.1；1000000000 太大了。"),
    ("train.learning_rate", "abc", "Learning rate must be a number; “abc” is not.",
     "学习率必须是数字；“abc”不是。"),
    ("train.batch_size", 0, "Batch size must be at least 1; 0 is too small.",
     "批大小至少为 1；0 太小了。"),
    ("train.batch_size", None, "Batch size needs a value.", "请填写批大小。"),
    ("train.batch_size", 2.5, "Batch size must be a whole number; “2.5” is not.",
     "批大小必须是整数；“2.5”不是。"),
    ("train.epochs", 10000, "Epochs must be at most 100; 10000 is too large.",
     "训练轮数最多为 100；10000 太大了。"),
    ("train.max_length", "4", "Max length must be at least 8; 4 is too small.",
     "最大长度至少为 8；4 太小了。"),
    ("train.scheduler", "fast", "Scheduler must be one of linear, cosine, constant, constant "
     "after warm-up; “fast” is not.", "学习率调度只能是 线性, 余弦, 恒定, 预热后恒定 之一；“fast”不行。"),
]


@pytest.mark.parametrize("path, typed, english, chinese", WRONG)
def test_a_wrong_setting_is_named_by_its_label_in_the_page_language(path, typed, english,
                                                                    chinese):
    assert form.problems({path: typed}, "en") == {path: english}
    assert form.problems({path: typed}, "zh-CN") == {path: chinese}


def test_right_settings_and_empty_decide_for_me_boxes_pass():
    assert form.problems({"train.learning_rate": "", "train.dropout": " ",
                          "train.max_length": "64", "train.batch_size": 8.0,
                          "train.epochs": 2, "train.packing": "auto"}, "en") == {}


def test_marks_put_the_problem_where_the_help_was():
    marks = form.marks(["train.batch_size", "train.epochs"],
                       {"train.batch_size": "Batch size needs a value."}, "en")
    assert marks["train.batch_size"]["info"] == "✖ Batch size needs a value."
    assert marks["train.batch_size"]["elem_classes"] == ["studio-invalid"]
    assert marks["train.epochs"] == {"__type__": "update", "info": "Passes over the training data.",
                                     "elem_classes": []}


def test_numbers_have_no_gradio_bounds_and_choices_are_translated():
    import gradio as gr
    with gr.Blocks():
        widgets = form.build_widgets()
    for path, w in widgets.items():
        if isinstance(w, gr.Number):  # gradio's own check would pop up in English, unnamed
            assert w.minimum is None and w.maximum is None, path
    method = widgets["method.method"]
    assert [value for _, value in method.choices] == ["auto", "full", "lora"]
    assert all(not isinstance(label, str) for label, _ in method.choices)  # gr.I18n labels


def test_engine_setting_errors_are_named_wherever_they_surface():
    from studio.config import ConfigError, JobConfig
    with pytest.raises(ConfigError) as refusal:
        JobConfig().override({"train.batch_size": "0"})
    assert error_text(refusal.value, "en") == "Batch size must be at least 1; 0 is too small."
    assert error_text(refusal.value, "zh-CN") == "批大小至少为 1；0 太小了。"
    assert setting_text("needs_value", {"field": "no.such"}, "en") == "no.such needs a value."


def test_the_studio_data_upload_limit_keeps_its_own_sentence():
    """DataError 'file_too_large' (an upload) has its own code, not the setting's 'too_large'."""
    from studio.errors import DataError
    e = DataError(code="file_too_large", file="x.csv", size_mb=300, limit_mb=200)
    assert error_text(e, "en") == str(e) and str(e).startswith("x.csv is 300 MB, above")
    assert "上传上限" in error_text(e, "zh-CN")


def test_a_slider_takes_a_number_beyond_its_range_at_its_bound():
    from components.common import Slider
    slider = Slider(0, 0.5, value=0.1, render=False)
    assert slider.preprocess(5) == 0.5 and slider.preprocess(-1) == 0
    assert slider.get_block_name() == "slider"  # drawn by gradio's own slider
    # not a gradio component subclass: gradio would write a .pyi file into components/
    from pathlib import Path
    assert not list((Path(__file__).resolve().parents[2] / "components").glob("*.pyi"))
