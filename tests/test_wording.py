"""One wording catalogue per language, keyed by code: every code the engine raises has a
Chinese sentence, a catalogue sentence is the only English for its code, and both languages
fill the same {params}. The codes are collected from studio/ with an AST walk, so a new raise
site is checked the day it is written."""
from __future__ import annotations

import ast
import string

from conftest import ROOT

from components.i18n import SETTING_CODES, code_text, error_text, problem_text
from components.strings_zh import ZH, ZH_ERRORS, ZH_PROBLEMS
from studio.data.problems import problem
from studio.errors import ConfigError, DataError, StudioError
from studio.wording import en

STUDIO = ROOT / "studio"
BASE = "StudioError"
# The serve API's errors (studio/serve_requests.py) answer programs in the OpenAI error format,
# in English by that API's convention; no page shows them.
NOT_WORDED = {"RequestError"}


def error_classes(trees) -> set[str]:
    """StudioError and every class that derives from it anywhere in studio/."""
    found, grew = {BASE, "ConfigError", "DataError", "ModelError", "InferenceError",
                   "RunError"}, True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in found and any(
                        getattr(b, "id", getattr(b, "attr", None)) in found for b in node.bases):
                    found.add(node.name)
                    grew = True
    return found - NOT_WORDED


def raise_sites() -> list[tuple[str, int, str, bool]]:
    """(file, line, code, gives_its_own_message) of every error built with a literal code."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in STUDIO.rglob("*.py")}
    classes = error_classes(trees)
    sites = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in classes:
                continue
            code = next((k.value for k in node.keywords if k.arg == "code"),
                        node.args[1] if len(node.args) > 1 else None)
            message = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "message"), None)
            own = not (message is None or (isinstance(message, ast.Constant)
                                           and message.value is None))
            for value in literals(code):
                sites.append((str(path.relative_to(ROOT)), node.lineno, value, own))
    return sites


def literals(code) -> list[str]:
    """The codes a code expression can be: a literal, or each side of `a if cond else b`."""
    if isinstance(code, ast.IfExp):
        return literals(code.body) + literals(code.orelse)
    return [code.value] if isinstance(code, ast.Constant) and isinstance(code.value, str) else []


def raised_codes() -> set[str]:
    return {code for _, _, code, _ in raise_sites()}


def names(template: str) -> set[str]:
    return {f[1].split(".")[0].split("[")[0].split("!")[0]
            for f in string.Formatter().parse(template) if f[1]}


def test_the_walk_finds_the_engine_codes():
    codes = raised_codes()
    assert len(codes) > 100
    assert {"too_many_labels", "bad_json", "memory_too_small", "gguf_quant", "no_run",
            "rating_bad_vote", "sweep_too_many"} <= codes


def test_every_raised_code_has_a_chinese_sentence():
    # A wrong setting's value (too_small, bad_choice, ...) is worded by the page's form
    # sentences, cfg_<code>, with the setting's label (components/i18n.setting_text).
    worded = set(ZH_ERRORS) | {code for code in SETTING_CODES if "cfg_" + code in ZH}
    missing = sorted(raised_codes() - worded)
    assert not missing, f"add these codes to ZH_ERRORS in components/strings_zh.py: {missing}"


def test_a_code_raised_without_a_message_has_an_english_sentence():
    missing = sorted({(f, line, code) for f, line, code, own in raise_sites()
                      if not own and code not in en.ERRORS})
    assert not missing, f"add these codes to studio/wording/en.py ERRORS: {missing}"


def test_a_catalogue_code_has_no_second_english_sentence_at_a_raise_site():
    twice = sorted((f, line, code) for f, line, code, own in raise_sites()
                   if own and code in en.ERRORS)
    assert not twice, f"raise these with code= and params only (en.py words them): {twice}"


# Raise sites that still write their own sentence beside a code, by (file, function): a data
# problem that blocks training is raised with its kind as the code and the problem's own
# sentence (studio.data.problems), prefixed with the file it is in.
OWN_SENTENCE = {("studio/data/pipeline.py", "raise_blocking")}


def worded_at_the_raise_site() -> list[tuple[str, str, int]]:
    """(file, function, line) of every error in studio/ built with a code (any expression) and
    a message of its own: English that bypasses the catalogue."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in STUDIO.rglob("*.py")}
    classes = error_classes(trees)
    return sorted((str(path.relative_to(ROOT)), name, line)
                  for path, tree in trees.items() for name, line in own_sentences(tree, classes))


def own_sentences(tree, classes) -> list[tuple[str, int]]:
    """(function, line) of each call of an error class in `tree` with a code and a message."""
    where = {}
    for func in ast.walk(tree):  # outer functions first: an inner one overwrites its nodes
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            where.update({id(n): func.name for n in ast.walk(func)})
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(
                node.func, "id", getattr(node.func, "attr", None)) in classes):
            continue
        code = next((k.value for k in node.keywords if k.arg == "code"),
                    node.args[1] if len(node.args) > 1 else None)
        message = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "message"), None)
        if code is not None and not (message is None or (isinstance(message, ast.Constant)
                                                         and message.value is None)):
            found.append((where.get(id(node), "<module>"), node.lineno))
    return found


def test_an_error_with_a_code_takes_its_sentence_from_the_catalogue():
    """Every code's English lives in studio/wording/en.py: a raise site gives the code and its
    params, never a sentence of its own (a site without any code may still word itself)."""
    own = [(f, name, line) for f, name, line in worded_at_the_raise_site()
           if (f, name) not in OWN_SENTENCE]
    assert not own, f"raise these with code= and params only and word them in en.py: {own}"
    listed = {(f, name) for f, name, _ in worded_at_the_raise_site()}
    assert OWN_SENTENCE <= listed, f"drop from OWN_SENTENCE: {OWN_SENTENCE - listed}"


def test_the_walk_sees_every_way_of_giving_a_sentence_beside_a_code():
    source = """
def f(x, kind):
    raise DataError(f"{x} is bad.", "bad_thing", file=x)
def g(x, kind):
    def inner():
        return RunError("No.", code=kind)
    raise ConfigError(message="Bad.", code="c")
def fine(x):
    return DataError(code="bad_thing", file=x), ConfigError(f"{x} has no code.")
"""
    found = own_sentences(ast.parse(source), {"DataError", "RunError", "ConfigError"})
    assert sorted(found) == [("f", 3), ("g", 7), ("inner", 6)]


def test_a_setting_code_has_the_same_placeholders_in_both_languages():
    """A wrong setting is worded by en.py for the CLI and by the page's cfg_<code> in Chinese."""
    for code in SETTING_CODES:
        assert names(en.ERRORS[code]) == names(ZH["cfg_" + code]), code


def test_both_languages_fill_the_same_placeholders():
    differ = {code: (names(en.ERRORS[code]) ^ names(ZH_ERRORS[code]))
              for code in set(en.ERRORS) & set(ZH_ERRORS)
              if names(en.ERRORS[code]) != names(ZH_ERRORS[code])}
    assert not differ, differ
    assert set(en.PROBLEMS) == set(ZH_PROBLEMS), set(en.PROBLEMS) ^ set(ZH_PROBLEMS)
    differ = {k: names(en.PROBLEMS[k]) ^ names(ZH_PROBLEMS[k]) for k in en.PROBLEMS
              if names(en.PROBLEMS[k]) != names(ZH_PROBLEMS[k])}
    assert not differ, differ


def test_an_error_raised_with_its_code_is_worded_from_the_catalogue():
    e = DataError(code="not_a_file", file="a.csv")
    assert str(e) == en.ERRORS[e.code].format(file="a.csv")
    assert error_text(e, "en") == str(e)
    assert error_text(e, "zh-CN") == ZH_ERRORS[e.code].format(file="a.csv")


def test_data_error_takes_its_siblings_order():
    e = DataError("The column 'text' is not in a.csv.", "missing_column", column="text")
    c = ConfigError("bad", "needs_value")
    assert (str(e), e.code, e.params) == ("The column 'text' is not in a.csv.",
                                          "missing_column", {"column": "text"})
    assert (str(c), c.code) == ("bad", "needs_value")


def test_english_and_chinese_go_through_one_lookup():
    params = {"file": "big.xlsx", "rows": 2_000_000, "limit": 1_000_000}
    e = StudioError(code="too_many_rows", **params)
    assert "2,000,000" in str(e)                               # the format spec as the CLI had it
    assert error_text(e, "en") == code_text("en", "too_many_rows", params) == str(e)
    assert error_text(e, "zh-CN") == code_text("zh-CN", "too_many_rows", params)
    assert "big.xlsx" in error_text(e, "zh-CN") and "行" in error_text(e, "zh-CN")


def test_a_problem_is_worded_per_language_with_its_variant():
    p = problem("too_long", "warning", [1, 2], 9, template="estimated", share=50.0,
                max_length=64, sample=4)
    assert problem_text(p, "en") == p.message and p.message.startswith("About 9 examples")
    zh = problem_text(p, "zh-CN")
    assert zh.startswith("约 9 个样本") and "4" in zh
    one = problem("duplicate", "excluded", [3])
    assert problem_text(one, "en") == "1 row repeats an earlier row exactly and was excluded."


def test_no_component_forks_on_english():
    """Every language goes through the same lookup: no `lang == "en"` branch in the page."""
    import re
    fork = re.compile(r"""lang\s*[!=]=\s*["']en["']""")
    found = [f"{p.name}:{i}" for p in (ROOT / "components").glob("*.py")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if fork.search(line)]
    assert not found, found


def test_the_memory_planner_names_the_method_by_its_code():
    from components.i18n import code_text
    params = {"model": "m", "method": "lora", "batch": 8, "need_gb": "9.0", "free_gb": "4.0",
              "micro": 2, "accum": 4, "effective": 8, "now_gb": "3.5"}
    from studio.wording import english
    assert english("memory_micro_batch", params).startswith("m LoRA fine-tuning at batch 8")
    assert code_text("en", "memory_micro_batch", params) == english("memory_micro_batch", params)
    assert "（LoRA，" in code_text("zh-CN", "memory_micro_batch", params)
    full = code_text("zh-CN", "memory_micro_batch", {**params, "method": "full"})
    assert "（全量微调，" in full
