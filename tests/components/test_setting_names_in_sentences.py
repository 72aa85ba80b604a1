"""A sentence on the page names a setting as the form labels it, in the page's language, and
its values as the form shows them; the CLI's sentence keeps the config path (a walk found "train.
packing ... auto or false" on the English page, raw paths in Chinese sentences)."""
from __future__ import annotations

import pytest

from components.i18n import code_text, error_text, tr
from studio.errors import ConfigError, DataError
from studio.ratings.store import RatingError

CASES = [  # error, the label on the English page, on the Chinese page, the path the CLI keeps
    (lambda: ConfigError(code="packing_unsupported", field="train.packing"),
     "Packing", "无填充打包", "train.packing"),
    (lambda: DataError(code="too_many_labels", column="text", labels=900, rows=1000, limit=50,
                       field="data.max_labels"), "Max labels", "标签数上限", "data.max_labels"),
    (lambda: ConfigError(code="hosted_devices", field="train.devices"),
     "Devices", "设备数", "train.devices"),
    (lambda: RatingError(code="rating_no_prompts", field="train.generation_samples"),
     "Generation samples", "生成评估样本数", "train.generation_samples"),
]


@pytest.mark.parametrize("make, en_label, zh_label, path", CASES)
def test_the_page_names_the_setting_by_its_label_and_the_cli_by_its_path(make, en_label,
                                                                         zh_label, path):
    exc = make()
    assert path in str(exc)  # the CLI and the run's log
    en, zh = error_text(exc, "en"), error_text(exc, "zh-CN")
    assert en_label in en and zh_label in zh, (en, zh)
    for text in (en, zh):
        assert path not in text and "train." not in text and "data." not in text, text


def test_values_read_as_the_form_shows_them():
    en = error_text(ConfigError(code="packing_unsupported", field="train.packing"), "en")
    assert en.startswith("Packing works") and en.endswith("set it to auto or off.")
    assert "false" not in en


def test_notes_and_the_auto_method_line_name_labels_too():
    zh = code_text("zh-CN", "generation_samples_cpu",
                   {"samples": 2, "field": "train.generation_samples"})
    assert zh and "生成评估样本数" in zh and "train." not in zh
    en = tr("en", "method_auto_lora", model="SmolLM2-135M", params="135M", threshold="100M")
    assert "set Method to full" in en and "method.method" not in en
