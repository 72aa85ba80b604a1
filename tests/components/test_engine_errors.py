"""error_text dispatches on the StudioError class tree, not on class names."""
from __future__ import annotations

from components.i18n import error_text
from studio.errors import ConfigError, DataError, ModelError, RunError, StudioError


def test_every_studio_error_is_a_sentence():
    for exc in (ConfigError("train.epochs is 0; it must be at least 0.01."),
                ModelError(code="bert_cannot_generate", task="chat"),
                RunError("Run x is still training.", "still_training", run="x"),
                DataError("a.json is not valid JSON.", "a_new_code", file="a.json")):
        assert error_text(exc, "en") == str(exc)


def test_a_new_studio_error_subclass_needs_no_ui_change():
    class ExportError(StudioError):
        default_code = "export"
    assert error_text(ExportError("The ONNX file could not be written."), "en") == \
        "The ONNX file could not be written."
    # No Chinese template for its code: the English sentence, marked as such.
    assert error_text(ExportError("Nope."), "zh-CN") == "出错了：Nope."


def test_chinese_by_code_and_params():
    e = ModelError(code="bert_cannot_generate", task="chat")
    assert error_text(e, "zh-CN").startswith("BERT 家族的模型不能生成文本")


def test_a_lookalike_name_is_not_enough():
    """A class merely named DataError (not a StudioError) is a bug, not a user error."""
    class DataError(Exception):
        code = "bad_json"
    text = error_text(DataError("x"), "en")
    assert text.startswith("Something unexpected went wrong (x)")
    assert error_text(KeyError("boom"), "en").startswith("Something unexpected")
    assert error_text(RuntimeError("CUDA error"), "en").startswith("Something unexpected")


def test_a_missing_file_is_a_user_error():
    assert error_text(FileNotFoundError("No such file: a.csv"), "en") == "No such file: a.csv"
