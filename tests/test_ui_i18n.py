"""Every string the UI shows exists in English and Chinese; engine errors translate."""
from __future__ import annotations

import re
from pathlib import Path

from components.i18n import error_text, lang_of, problem_text, tr
from components.strings_en import EN
from components.strings_zh import ZH, ZH_ERRORS, ZH_PROBLEMS

COMPONENTS = Path(__file__).resolve().parents[1] / "components"
KEY = re.compile(r"""\b(?:t|tr)\((?:lang,\s*)?["']([a-z][a-z0-9_.\-]*)["']""")


def used_keys() -> set[str]:
    keys = set()
    for path in COMPONENTS.glob("*.py"):
        keys |= {k for k in KEY.findall(path.read_text()) if not k.endswith("_")}
    return keys


def test_every_used_key_is_translated():
    keys = used_keys()
    assert len(keys) > 80
    assert not sorted(keys - set(EN)), "missing English strings"
    assert not sorted(keys - set(ZH)), "missing Chinese strings"


def test_dynamic_keys_are_translated():
    from studio.config import describe_fields
    from studio.models import PRESETS
    from components.form import BASIC, advanced_paths
    for path in (*BASIC, *advanced_paths()):
        assert "field_" + path in ZH and "help_" + path in ZH, path
        assert "field_" + path in EN
    for prefix, names in (("task_", ("auto", "classification", "chat", "text2text")),
                          ("status_", ("queued", "running", "done", "failed", "stopped")),
                          ("tab_", ("data", "model", "train", "try", "runs")),
                          ("role_", ("text", "text_pair", "label", "prompt", "response",
                                     "messages"))):
        for name in names:
            assert prefix + name in EN and prefix + name in ZH
    for name in PRESETS:
        assert f"preset_desc_{name}" in ZH
    assert {f["path"] for f in describe_fields()} >= set(BASIC)


def test_keys_built_at_run_time_are_translated():
    """Stages, setting errors, choices, metric names, table headers, layouts: looked up by a
    key made from an engine value, so no literal t("...") shows them to the test above."""
    from components import fmt, live, results, runs_step
    from components.i18n import SETTING_CODES
    from studio.config import describe_fields
    from studio.data.layouts import CHAT_LAYOUTS
    keys = {f"stage_{s}" for s in ("starting", *live.STAGES)}
    keys |= {f"cfg_{c}" for c in SETTING_CODES} | {f"kind_{k}" for k in
                                                     ("int", "float", "bool", "str")}
    keys |= {f"choice_{c}" for f in describe_fields() for c in f.get("choices") or ()
             if f.get("advanced") or f["path"] in ("method.method",)}
    keys |= {"choice_auto", "choice_true", "choice_false"}
    keys |= {f"metric_{m}" for m in fmt.SCORES} | {f"series_{s}" for s in ("train", "eval", "lr")}
    keys |= {f"col_{c}" for c in (*results.MISCLASSIFIED, *results.SAMPLES, *runs_step.FIXED,
                                  "metric", "before", "after", "reason")}
    keys |= {f"layout_{name}" for name in ("table", "pairs", *CHAT_LAYOUTS)}
    assert not sorted(keys - set(EN)), "missing English strings"
    assert not sorted(keys - set(ZH)), "missing Chinese strings"


def test_english_and_chinese_templates_take_the_same_params():
    from components.i18n import ENGINE_WORDS
    for key, text in EN.items():
        if key in ZH and key not in ENGINE_WORDS:
            assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", ZH[key])), key


def test_engine_errors_become_translated_sentences():
    from studio.errors import DataError
    from studio.models import ModelError
    e = DataError("x.json is not valid JSON at line 2, column 5 (oops); fix it.", "bad_json",
                  file="x.json", line=2, column=5, detail="oops")
    assert error_text(e, "en").startswith("x.json is not valid JSON")
    zh = error_text(e, "zh-CN")
    assert "x.json" in zh and "第 2 行" in zh
    m = ModelError(code="bert_cannot_generate", task="chat")
    assert "BERT" in error_text(m, "zh-CN") and "GPT" in error_text(m, "zh-CN")
    unknown = DataError("Something new.", "brand_new_code", file="a")
    assert error_text(unknown, "zh-CN").endswith("Something new.")  # English as fallback
    assert "Traceback" not in error_text(KeyError("boom"), "en")


def test_problems_translate_with_their_counts():
    from studio.data.checks import problem
    p = problem("duplicate", "excluded", [3, 4, 5], 3)
    assert problem_text(p, "en") == p.message
    assert problem_text(p, "zh-CN").startswith("3 行")
    assert set(ZH_PROBLEMS) >= {("duplicate", "excluded"), ("empty_text", "excluded")}
    assert "bad_json" in ZH_ERRORS


def test_language_follows_the_browser():
    class Req:
        def __init__(self, header):
            self.headers = {"accept-language": header}
    assert lang_of(Req("zh-CN,zh;q=0.9,en;q=0.8")) == "zh-CN"
    assert lang_of(Req("en-US,en;q=0.9")) == "en"
    assert lang_of(None) == "en"
    assert tr("zh-CN", "train_queued", position=2).startswith("正在排队")
    assert tr("en", "no_such_key") == "no_such_key"


def test_every_setting_has_its_own_label_in_both_languages():
    """'Settings that differ' names rows by label: two settings called 'Name' (the run's and
    the model's) made two rows nobody could tell apart."""
    from components.i18n import field_label
    from studio.config import describe_fields
    paths = [f["path"] for f in describe_fields(recorded=True)]
    for lang in ("en", "zh-CN"):
        labels = [field_label(p, lang) for p in paths]
        twice = {label for label in labels if labels.count(label) > 1}
        assert not twice, (lang, twice)
