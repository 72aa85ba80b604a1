"""Gradio's own words (status overlays, screen-reader labels, footer) in the page's language:
components/gradio_words.py. The browser tests open the real app in English and in Chinese."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.gradio_words import GRADIO_KEYS, head_script, i18n_keys, rewrites
from components.i18n import build_i18n
from components.strings_en import EN
from components.strings_zh import ZH

CHROMIUM = "/usr/bin/chromium"

# Every text of gradio's status trackers and live regions, kept as the page changes.
RECORD = """() => { window.__said = new Set();
  const keep = () => document.querySelectorAll(
      '.progress-text, .meta-text, .meta-text-center, [aria-live]')
    .forEach(e => { const t = (e.closest('#try-chat')  // the chat's messages are the user's
        ? Array.from(e.querySelectorAll('.sr-only')).map(s => s.textContent).join(' ')
        : e.innerText).trim(); if (t) window.__said.add(t); });
  new MutationObserver(keep).observe(document.body,
      {subtree: true, childList: true, characterData: true}); }"""
# Screen-reader labels and tooltips (a table's header tooltip is the file's column name).
# A chart's marks (role graphics-symbol) are described by their data values: the user's words.
LABELS = """() => Array.from(document.querySelectorAll('[aria-label], [title]:not(th)'))
  .filter(e => e.getAttribute('role') !== 'graphics-symbol')
  .flatMap(e => [e.getAttribute('aria-label'), e.getAttribute('title')]).filter(Boolean)"""
NAMES = {"Gradio", "API", "CSV", "TSV", "JSON", "JSONL"}  # names, the same in every language


def english_labels(page, allowed=lambda word: word in NAMES) -> list[str]:
    """Screen-reader labels and tooltips with an English word in them: a word `allowed` (a
    name) or inside quotes (the page's own, already translated title) aside."""
    out = []
    for label in page.evaluate(LABELS):
        # a quoted value (a chat message may hold an apostrophe: strip “…” whole first)
        text = re.sub(r"'[^']*'", " ", re.sub(r"“.*”", " ", label))
        words = re.findall(r"[A-Za-z0-9][A-Za-z0-9_.\-/]*[A-Za-z0-9]|[A-Za-z]", text)
        if any(re.search(r"[A-Za-z]{2}", w) and w not in NAMES and not allowed(w)
               for w in words):
            out.append(label)
    return out


def test_gradio_keys_have_a_sentence_in_every_language():
    for key in GRADIO_KEYS:
        assert i18n_keys(EN)[key] and i18n_keys(ZH)[key]
    assert i18n_keys(ZH)["common.complete"] == "完成"
    dictionaries = build_i18n().translations
    assert dictionaries["en"]["common.complete"] == "Complete"  # never the raw key
    assert dictionaries["zh-CN"]["common.complete"] == "完成"


def test_hard_coded_english_is_worded_in_chinese():
    zh = rewrites()["zh"]
    for kind, rules in zh.items():
        for pattern, template in rules:
            assert re.compile(pattern)  # a valid expression
            assert not re.search(r"[A-Za-z]{3,}", template.replace("Gradio", "")), template
    assert "processing" not in head_script() or "处理中" in head_script()


def test_launch_options_carry_the_script_and_no_call_history():
    from components.ui import launch_options
    options = launch_options()
    assert "<script>" in options["head"] and "处理中" in options["head"]
    assert options["run_history"] is False  # no English "Runs" link in gradio's footer


@pytest.fixture(scope="module")
def app(tmp_path_factory, app_server):
    return app_server(tmp_path_factory.mktemp("gradio-words-ws"))


def open_data_step(browser, url, locale):
    page = browser.new_page(locale=locale, viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.locator("#data-sample input").wait_for(timeout=60000)
    page.evaluate(RECORD)
    return page


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_gradio_overlays_and_labels_follow_the_page(app, browser, shots, locale):
    """Loading a sample on the Data step: gradio's status overlay, the sentence screen readers
    hear when it ends, its labels and its footer, in the page's language."""
    zh = locale == "zh-CN"
    page = open_data_step(browser, app.url, locale)
    page.locator("#data-sample input").click()
    page.get_by_role("option", name="reviews_sentiment.csv").first.click()
    done = "完成" if zh else "Complete"  # said to screen readers when the event ends
    page.wait_for_function(f"window.__said.has({done!r})", timeout=60000)
    said = page.evaluate("Array.from(window.__said)")
    assert not [s for s in said if "common." in s], said  # never a raw i18n key
    footer = page.locator("footer").inner_text()
    assert "Runs" not in footer  # gradio's call history is off
    if zh:
        assert not [s for s in said if re.search(r"processing|queue|[A-Za-z]{3,}", s)], said
        assert any("处理中" in s or "排队" in s for s in said), said
        assert english_labels(page) == []
        assert "设置" in footer and "Settings" not in footer
        # A slider's box, as gradio writes it, is read out in Chinese too.
        page.evaluate("""() => { const i = document.createElement('input');
            i.id = 'probe'; i.setAttribute('aria-label', 'number input for 温度');
            document.body.appendChild(i); }""")
        page.wait_for_function("document.querySelector('#probe').getAttribute('aria-label')"
                               " === '温度（数字输入）'", timeout=5000)
    else:
        assert any(s.startswith("processing") or s.startswith("queue") for s in said), said
        assert "Use via API" in footer
    page.screenshot(path=shots / f"{'zh-' if zh else ''}gradio-words-data.png", full_page=True)
    page.close()
