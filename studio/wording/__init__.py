"""The words of engine codes: an error or data-problem code and its params -> one sentence.

The English catalogue is `en.py` (read by the engine itself: a StudioError raised with a code and
no message of its own takes its sentence from there, so the CLI and the failed event print it);
the Chinese one is components/strings_zh.py (ZH_ERRORS, ZH_PROBLEMS), read by the page through
the same lookup (components/i18n.py). Both are keyed by code, with the same {params}.
"""
from __future__ import annotations

import re
import string

from . import en

# "[a|b]" in a problem sentence: a when the count is one, else b (English needs it; Chinese not).
PLURAL = re.compile(r"\[([^|\]]*)\|([^\]]*)\]")

# Params that hold a setting's value ("lora"), which each catalogue words in its language.
WORDED = ("method",)


def english(code: str, params: dict) -> str:
    """The English sentence of an error `code`, filled with `params` as an f-string at the
    raise site would (`{rows:,}` reads 1,234), a list as its items joined by commas and a
    setting's value by its English word; KeyError for a code without one."""
    shown = {k: (en.CHOICES.get(v, v) if k in WORDED else v) for k, v in params.items()}
    return _ENGLISH.format(en.ERRORS[code], **shown)


class _English(string.Formatter):
    """str.format, but a list param reads as its items joined by commas and a !w one by its
    English words."""

    def format_field(self, value, format_spec):
        if isinstance(value, (list, tuple)) and not format_spec:
            return ", ".join(map(str, value))
        return format(value, format_spec)

    def convert_field(self, value, conversion):
        # {kind!w}: a value's English words (en.WORDS), so params carry codes, never English.
        if conversion == "w":
            return en.WORDS.get(value, value)
        return super().convert_field(value, conversion)


_ENGLISH = _English()


def problem_sentence(template: str, count: int, params: dict) -> str:
    """A data problem's sentence: the singular or plural words for `count`, then the params."""
    template = PLURAL.sub(lambda m: m.group(1) if count == 1 else m.group(2), template)
    return _ENGLISH.format(template, count=count, **params)
