"""Every user-facing string of the studio, in English and Simplified Chinese.

Static text (labels, buttons, headings) goes through `gr.I18n`: the page shows the browser's
language. Text an event function builds at run time (a data problem with its counts, an engine
error with its file name, a progress line) cannot be translated by the browser, so it is
translated here in Python with the same dictionaries, in the language the browser asked for
(`lang_of(request)` reads Accept-Language once per page load and keeps it in a gr.State).

Engine errors and data problems carry a stable `code`/`kind` and their `params`; each language
has one catalogue keyed by code (English: studio/wording/en.py, the one the CLI prints; Chinese:
ZH_ERRORS / ZH_PROBLEMS in strings_zh.py) and every language goes through the same lookup
(`code_text`, `problem_text`); a code a catalogue lacks shows the engine's English sentence.
"""
from __future__ import annotations

import string

import gradio as gr

from studio import wording
from studio.wording import en as en_wording

from .strings_en import EN
from .strings_zh import ZH, ZH_ERRORS, ZH_PROBLEMS

LANGS = {"en": EN, "zh-CN": ZH}
# Page sentences whose one param is the engine's English free text (a stop's reason, an
# export's progress words): English shows it, another language may leave it out.
ENGINE_WORDS = ("run_stopped_note", "export_progress_detail")
# The sentence of each engine code, one catalogue per language (the same {params} in each).
ERRORS = {"en": en_wording.ERRORS, "zh-CN": ZH_ERRORS}
PROBLEMS = {"en": en_wording.PROBLEMS, "zh-CN": ZH_PROBLEMS}


def build_i18n() -> gr.I18n:
    """The gr.I18n handed to launch(); 'zh' and 'zh-Hans' point at the same dictionary.
    Each also carries the keys gradio's own frontend asks for and ships no sentence for."""
    from .gradio_words import i18n_keys
    en, zh = {**EN, **i18n_keys(EN)}, {**ZH, **i18n_keys(ZH)}
    return gr.I18n(en=en, **{"zh-CN": zh, "zh": zh, "zh-Hans": zh})


def t(key: str):
    """A static string for a component label: translated in the browser."""
    return gr.I18n()(key)


def lang_of(request) -> str:
    """'zh-CN' when the browser's preferred language is Chinese, else 'en'."""
    header = ""
    try:
        header = request.headers.get("accept-language", "") if request is not None else ""
    except AttributeError:
        header = ""
    first = header.split(",")[0].strip().lower()
    return "zh-CN" if first.startswith("zh") else "en"


def tr(lang: str, key: str, **params) -> str:
    """A run-time string in `lang`, filled with `params`; English when the key is missing.
    A count of one (`n` or `count`) takes the key's singular `<key>_one` where the language
    has one ("Start 1 run", never "Start 1 runs"; Chinese needs none)."""
    table = LANGS.get(lang) or EN
    if 1 in (params.get("n"), params.get("count")) and key + "_one" in table:
        key += "_one"
    template = table.get(key) or EN.get(key) or key
    return fill(template, params) or fill(EN.get(key, key), params) or key


def fill(template: str, params: dict) -> str | None:
    try:
        return _WORDS.format(template, **params)
    except (KeyError, IndexError, ValueError, TypeError):
        return None


class _Words(string.Formatter):
    """A placeholder with a format spec ({rows:,}) formats the value as the engine does; one
    without shows it as the page does (a list joined, a float to 4 digits)."""

    def format_field(self, value, format_spec):
        return format(value, format_spec) if format_spec else str(_show(value))


_WORDS = _Words()


def _show(value):
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return value


def problem_text(problem, lang: str) -> str:
    """A data Problem (kind, action, count, params) as one sentence in `lang`, from that
    language's catalogue; the engine's English sentence where the catalogue lacks the kind."""
    key = (problem.kind, getattr(problem, "wording", "") or problem.action)
    template = PROBLEMS.get(lang, {}).get(key)
    params = {k: v for k, v in (getattr(problem, "params", {}) or {}).items() if k != "count"}
    try:
        text = wording.problem_sentence(template, problem.count, params) if template else None
    except (KeyError, IndexError, ValueError):
        text = None
    return text or problem.message


def worded(lang: str, catalogue: dict, code: str, params: dict, fallback: str = "") -> str:
    """A code's sentence in `lang` from a catalogue per language ({lang: {code: template}}),
    filled with `params`; `fallback` (the engine's own sentence) where that language has none.
    Every language takes this one path: English reads its catalogue like Chinese does."""
    template = (catalogue.get(lang) or {}).get(code)
    return (fill(template, params) if template else None) or fallback


def code_text(lang: str, code: str, params: dict | None) -> str | None:
    """An engine code's sentence in `lang`, its setting named by its label (None: no sentence
    for this code in that language's catalogue)."""
    template = ERRORS.get(lang, {}).get(code)
    if not template:
        return None
    shown = setting_words(params, lang)
    for key in wording.WORDED:      # a setting's value the sentence names: 'lora' -> LoRA
        if key in shown:
            shown[key] = choice_label(shown[key], lang)
    if "status" in shown and "status_" + str(shown["status"]) in EN:
        shown["status"] = tr(lang, "status_" + str(shown["status"]))
    return fill(template, shown)


# Builtin errors a user can cause that reach the page (a file that vanished); everything else
# that is not a StudioError is a bug and is shown as "unexpected".
USER_BUILTINS = (FileNotFoundError,)


# ConfigError codes of one setting's value (params: field, value, kind | choices | min | max).
SETTING_CODES = ("needs_value", "bad_type", "bad_choice", "too_small", "too_large")


def field_label(path: str, lang: str) -> str:
    """A setting's label in `lang` ('train.batch_size' -> 'Batch size' / '批大小')."""
    key = "field_" + str(path)
    return tr(lang, key) if key in EN else str(path)


def choice_label(value, lang: str) -> str:
    """A setting's allowed value as the page shows it ('full' -> 'full' / '全量微调')."""
    key = f"choice_{value}"
    return tr(lang, key) if key in EN else str(value)


def setting_text(code: str, params: dict, lang: str) -> str:
    """A wrong setting, named by its label, in `lang`: 'Learning rate must be at most 0.1;
    1e+09 is too large.' The one wording for the form, the estimate and a refused Start."""
    p = {k: _plain(v) for k, v in (params or {}).items()}
    p["field"] = field_label(p.get("field", ""), lang)
    if code == "bad_type":
        p["kind"] = tr(lang, f"kind_{p.get('kind')}")
    if code == "bad_choice":
        p["value"] = choice_label(p.get("value"), lang)
        p["choices"] = [choice_label(c, lang) for c in p.get("choices") or []]
    return tr(lang, "cfg_" + code, **p)


def setting_words(params: dict | None, lang: str) -> dict:
    """An error's params as the page names them: the setting it names (`field`, a config
    path) by its label, and its value as the form shows it (False -> 'off' / '关')."""
    p = dict(params or {})
    if p.get("field"):
        p["field"] = field_label(p["field"], lang)
        if "value" in p and not isinstance(p["value"], (list, dict)):
            value = p["value"]
            p["value"] = choice_label(str(value).lower() if isinstance(value, bool) else value,
                                      lang)
    return p


def _plain(value):
    """A number as typed: 10000 (not 1e+04), 1000000000, 0.1, 1e-07."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if isinstance(value, float) else value


def error_text(exc: BaseException, lang: str) -> str:
    """Any engine error as one sentence in `lang` (never a traceback): a StudioError by its
    `code` and `params`, with the engine's English sentence as the fallback; a wrong setting
    is named by its label, never by its config path."""
    from studio.errors import StudioError
    english = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if not isinstance(exc, (StudioError, *USER_BUILTINS)):
        return tr(lang, "err_unexpected", detail=english)
    params = getattr(exc, "params", None) or {}
    if getattr(exc, "code", "") in SETTING_CODES and params.get("field"):
        return setting_text(exc.code, params, lang)
    text = code_text(lang, exc.code, params) if isinstance(exc, StudioError) else None
    return text or tr(lang, "err_engine_fallback", detail=english)
