"""Gradio's own words on the page (status overlays, screen-reader labels, footer) in the page's
language.

Gradio's frontend translates most of its words with svelte-i18n, in the language the browser
reports (`navigator.language`, which is also the first language of the Accept-Language header
that `i18n.lang_of` reads, so gradio and the studio agree). Two kinds of its words it cannot be
told to translate at run time:
- keys it asks for and ships no sentence for (`common.complete`, read out by screen readers when
  an event ends; the English page read the raw key): given here to gr.I18n like our own keys;
- English written into its components (the status overlay's "processing |" and "queue: 1/1 |",
  a slider's "number input for <label>", the table's and upload area's buttons, the footer's
  label: screen-reader labels and tooltips): `head_script()` rewrites exactly those, as they appear, while the page's language
  (gradio sets `<html lang>`) is one we have words for. It only reads what changed, so it adds
  no work to a page that is idle.
The footer's "Runs" link (gradio's browser-side call history, English in every language and
easily taken for the studio's Runs step) goes with `run_history=False` in ui.launch_options.
"""
from __future__ import annotations

import json

from .strings_en import EN
from .strings_zh import ZH

# gradio i18n key -> our key: keys gradio's frontend asks for without shipping a sentence.
GRADIO_KEYS = {"common.complete": "gradio_complete", "common.error": "gradio_error"}

# Gradio's hard-coded English (a regular expression over the whole text or aria-label) -> our
# key; the key's {groups} are the expression's groups in order ({0}, {1}).
HARD_CODED = {
    "text": {r"^processing \|$": "gradio_processing",
             r"^queue: (\d+)/(\d*) \|$": "gradio_queue",
             r"^Loading content$": "gradio_loading_content"},  # the chat's pending answer
    # aria-label and title (a title is also a tooltip); the components the studio uses
    "label": {r"^number input for (.*)$": "gradio_number_input",
              r"^range slider for (.*)$": "gradio_range_slider",
              r"^Reset to default value$": "gradio_reset_value",
              r"^More tabs$": "gradio_more_tabs",
              r"^Click to upload or drop files$": "gradio_upload_area",
              r"^(File upload|Upload file|Upload a file)$": "gradio_file_upload",
              r"^(Remove file|Remove this file)$": "gradio_remove_file",
              r"^Uploaded files$": "gradio_uploaded_files", r"^Uploading$": "gradio_uploading",
              r"^Table actions$": "gradio_table_actions", r"^Copy table data$": "gradio_copy_table",
              r"^Open cell menu$": "gradio_cell_menu",
              r"^(Fullscreen|View full screen)$": "gradio_fullscreen",
              r"^(Exit fullscreen|Close full screen)$": "gradio_exit_fullscreen",
              r"^Download$": "gradio_download", r"^Clear$": "gradio_clear",
              r"^(Close|Dismiss)$": "gradio_close", r"^Loading response$": "gradio_loading",
              r"^Gradio footer navigation$": "gradio_footer_nav",
              r"^Empty value$": "gradio_empty_value", r"^Dataframe$": "gradio_dataframe",
              r"^[Cc]opy$": "gradio_copy", r"^[Cc]opied$": "gradio_copied",
              # the chat box (its role names are gradio's: "user", "bot")
              r"^chatbot conversation$": "gradio_chat_conversation",
              r"^Copy conversation$": "gradio_copy_conversation",
              r"^Copy message$": "gradio_copy_message",
              r"^user's message: (.*)$": "gradio_user_message",
              r"^bot's message: (.*)$": "gradio_bot_message",
              # the charts (Vega) describe themselves to screen readers in English
              r"^Vega visualization$": "gradio_chart",
              r"^X-axis titled '(.*)' for .*$": "gradio_x_axis",
              r"^Y-axis titled '(.*)' for .*$": "gradio_y_axis",
              r"^X-axis for .*$": "gradio_x_axis_plain", r"^Y-axis for .*$": "gradio_y_axis_plain",
              r"^Title text '(.*)'$": "gradio_chart_title",
              r"^\w+ legend titled '(.*)' for .*$": "gradio_legend",
              r"^\w+ legend for .*$": "gradio_legend_plain"},
}

TABLES = {"zh": ZH}  # html lang prefix -> our strings; English needs no rewriting


def i18n_keys(table: dict[str, str]) -> dict[str, str]:
    """Gradio's missing keys in one of our languages, to merge into that gr.I18n dictionary."""
    return {key: table.get(ours) or EN[ours] for key, ours in GRADIO_KEYS.items()}


def rewrites() -> dict[str, dict[str, list[list[str]]]]:
    """{lang prefix: {'text'|'label': [[pattern, template], ...]}} for the script."""
    return {lang: {kind: [[pattern, table.get(key) or EN[key]] for pattern, key in rules.items()]
                   for kind, rules in HARD_CODED.items()}
            for lang, table in TABLES.items()}


SCRIPT = """<script>
(() => {
  const RULES = %s;
  const rules = () => RULES[(document.documentElement.lang || "").toLowerCase().split("-")[0]];
  const word = (list, text) => {
    for (const [pattern, template] of list) {
      const m = new RegExp(pattern).exec(text);
      if (m) return template.replace(/\\{(\\d+)\\}/g, (_, i) => m[+i + 1] ?? "");
    }
    return null;
  };
  const fixText = (node, r) => {
    const text = node.nodeValue && node.nodeValue.trim();
    const out = text && text.length < 40 ? word(r.text, text) : null;
    if (out !== null) node.nodeValue = out;
  };
  const fixLabel = (el, r) => {
    for (const name of ["aria-label", "title"]) {
      const out = el.hasAttribute(name) ? word(r.label, el.getAttribute(name)) : null;
      if (out !== null) el.setAttribute(name, out);
    }
  };
  const fixTree = (root, r) => {
    if (root.nodeType === 3) return fixText(root, r);
    if (root.nodeType !== 1) return;
    fixLabel(root, r);
    root.querySelectorAll("[aria-label], [title]").forEach((el) => fixLabel(el, r));
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) fixText(n, r);
  };
  const start = () => {
    new MutationObserver((changes) => {
      const r = rules();
      if (!r) return;
      for (const c of changes) {
        if (c.type === "characterData") fixText(c.target, r);
        else if (c.type === "attributes") fixLabel(c.target, r);
        else c.addedNodes.forEach((n) => fixTree(n, r));
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true,
                               attributes: true, attributeFilter: ["aria-label", "title"]});
    const r = rules();
    if (r) fixTree(document.body, r);
  };
  if (document.body) start(); else addEventListener("DOMContentLoaded", start);
})();
</script>"""


def head_script() -> str:
    """The <script> for launch(head=...) that puts gradio's hard-coded English into the page's
    language."""
    return SCRIPT % json.dumps(rewrites(), ensure_ascii=False)
