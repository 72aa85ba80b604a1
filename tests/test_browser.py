"""The studio in a real browser: `python app.py` on a free port, driven by headless Chromium,
in English and in Chinese.

1. Classification: upload a CSV, pick tiny-bert, train, read the curves and their legends,
   classify in the playground, see the run in the Runs step, reload and reattach.
2. Chat: a tiny-gpt run on the chat sample; three messages, each answer streamed in; then a
   second run in the same tab starts from empty charts and a "preparing" line, and a second
   browser opens it from the Runs step and follows it live (and stops it).
3. Settings: every wrong value says, next to its field, by its label and in the page's
   language, what is wrong; Start stays disabled meanwhile; no gradio pop-up.
4. The Chinese page, every step: no English word left outside a list of names.
5. A broken file and a CSV with spilled text, each said in one sentence.
Screenshots of every step go to the test's output folder (tmp_path / "screens", or
$STUDIO_SCREENSHOTS when set, which is how docs/screenshots is refreshed).
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SAMPLES = ROOT / "assets" / "samples"
TABS = {"en-US": ("1 · Data", "2 · Model", "3 · Train", "4 · Try", "5 · Runs"),
        "zh-CN": ("1 · 数据", "2 · 模型", "3 · 训练", "4 · 试用", "5 · 记录")}

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium is not installed (/usr/bin/chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, app_server):
    ws = tmp_path_factory.mktemp("browser-ws")
    app = app_server(ws)
    yield {"url": app.url, "workspace": ws}


def open_page(browser, url, locale="en-US"):
    page = browser.new_page(locale=locale, viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("tab", name=TABS[locale][0]).wait_for(timeout=30000)
    return page


def tab(page, number: int, locale="en-US") -> None:
    page.get_by_role("tab", name=TABS[locale][number - 1]).click()


def pick(page, elem_id: str, option: str) -> None:
    """Choose an option of a gr.Dropdown."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option).first.click()


def set_number(page, elem_id: str, value) -> None:
    box = page.locator(f"#{elem_id} input[type=number]").first
    box.fill(str(value))
    box.press("Tab")


def set_text(page, elem_id: str, value) -> None:
    box = page.locator(f"#{elem_id} input, #{elem_id} textarea").first
    box.fill(str(value))
    box.press("Tab")


def progress(page) -> str:
    line = page.locator("#train-progress-text")
    return line.inner_text() if line.count() else ""


def legend(page, elem_id: str) -> list[str]:
    """The series names a chart's legend shows (Vega's SVG legend labels)."""
    return page.evaluate("id => Array.from(document.querySelectorAll("
                         "`#${id} .role-legend-label text`)).map(t => t.textContent)", elem_id)


def drawn(page, elem_id: str) -> bool:
    return page.locator(f"#{elem_id} .vega-embed").count() > 0


def in_advanced(page, action) -> None:
    """Do `action` in the Train step's Advanced section, leaving it open or closed as it was."""
    toggle = page.locator("#train-advanced button.label-wrap").first  # any language
    toggle.wait_for(timeout=60000)
    closed = not page.locator("#f-train-threads").is_visible()
    if closed:
        toggle.click()
    action()
    if closed:
        toggle.click()


def train(page, shots: Path, prefix: str, timeout: float = 150, epochs: int = 1) -> str:
    """Start training with small settings and wait for the run to finish, curves drawn;
    returns the run id. Screenshots `<prefix>3-training.png` and `<prefix>4-trained.png`."""
    page.get_by_role("tab", name="3 · Train").click()
    set_number(page, "f-train-epochs", epochs)
    set_number(page, "f-train-batch-size", 16)
    # One torch thread: two of them contending on a small machine made a 3 s run take 45 s.
    in_advanced(page, lambda: set_number(page, "f-train-threads", 1))
    # The engine's preview of the job, for the settings now in the form.
    page.locator("#train-estimate", has_text="steps per epoch").wait_for(timeout=30000)
    page.locator("#train-estimate", has_text="(16 rows per step)").wait_for(timeout=30000)
    page.locator("#train-start").click()
    message = page.locator("#train-message", has_text="submitted")
    message.wait_for(timeout=20000)
    run_id = message.inner_text().split("Run ", 1)[1].split(" ", 1)[0]
    # The loss curve has points once a vega mark is drawn in it.
    page.locator("#plot-loss .vega-embed path, #plot-loss canvas").first.wait_for(
        timeout=timeout * 1000)
    page.screenshot(path=shots / f"{prefix}3-training.png", full_page=True)
    page.locator("#train-status", has_text="finished").wait_for(timeout=timeout * 1000)
    page.wait_for_timeout(1500)
    page.screenshot(path=shots / f"{prefix}4-trained.png", full_page=True)
    return run_id


def test_classification_walk(server, browser, shots):
    page = open_page(browser, server["url"])
    page.set_input_files("#data-upload input[type=file]", str(SAMPLES / "reviews_sentiment.csv"))
    page.locator("#data-summary", has_text="200 usable rows").wait_for(timeout=30000)
    page.locator("#data-chart .vega-embed").wait_for(timeout=10000)
    page.screenshot(path=shots / "1-data.png", full_page=True)

    tab(page, 2)
    pick(page, "model-preset", "tiny-bert")
    page.locator("#model-info", has_text="can learn classification").wait_for(timeout=60000)
    # an untrained preset says what it will do
    page.locator("#model-info", has_text="predictions and replies are noise").wait_for(
        timeout=30000)
    page.screenshot(path=shots / "2-model.png", full_page=True)

    tab(page, 3)
    estimate = page.locator("#train-estimate", has_text="training rows")
    estimate.wait_for(timeout=30000)
    assert "180 training rows, 20 for validation" in estimate.inner_text()
    assert "inputs cut at 128 tokens" in estimate.inner_text()
    page.locator("#train-advanced").get_by_text("Advanced").first.click()
    dropout = page.locator("#f-train-dropout input, #f-train-dropout textarea").first
    dropout.wait_for(timeout=10000)
    assert dropout.input_value() == "" and dropout.get_attribute("placeholder") == \
        "auto: the model's own"
    lr = page.locator("#f-train-learning-rate input, #f-train-learning-rate textarea").first
    assert lr.input_value() == "" and lr.get_attribute("placeholder").startswith("auto: ")
    page.locator("#train-advanced").get_by_text("Advanced").first.click()
    run_id = train(page, shots, "")
    # Each chart's legend names its curves: train vs eval, accuracy vs macro-F1.
    assert legend(page, "plot-loss") == ["train", "eval"]
    assert legend(page, "plot-metric") == ["accuracy", "macro-F1"]
    assert legend(page, "plot-lr") == ["learning rate"]
    status = page.locator("#train-status").inner_text()
    assert "accuracy" in status and "macro_f1" not in status and "samples/s" in progress(page)
    assert re.search(r"\d+(\.\d)? samples/s", progress(page))  # not 28.9210
    command = page.locator("#train-command").inner_text()
    assert "python -m studio train" in command and "--workspace" in command
    job = yaml.safe_load((server["workspace"] / "runs" / run_id / "job.yaml").read_text())
    assert job["train"]["dropout"] is None  # untouched: the model keeps its own dropout
    assert job["train"]["epochs"] == 1 and job["train"]["batch_size"] == 16

    tab(page, 4)
    page.locator("#try-text textarea").wait_for(timeout=30000)
    assert "noise" in page.locator("#try-info").inner_text()
    page.locator("#try-text textarea").fill("The staff were friendly and the food was great.")
    page.locator("#try-classify").click()
    page.locator("#try-label", has_text="positive").wait_for(timeout=60000)
    page.locator("#try-label", has_text="%").wait_for(timeout=10000)
    page.screenshot(path=shots / "5-try.png", full_page=True)

    tab(page, 5)
    page.locator("#runs-table", has_text="tiny-bert").wait_for(timeout=30000)
    page.locator("#runs-select").get_by_label(run_id).check()
    page.locator("#runs-overlay").click()
    page.locator("#runs-plot .role-legend-label").first.wait_for(timeout=20000)
    assert legend(page, "runs-plot") == [f"{run_id[-12:]} · train", f"{run_id[-12:]} · eval"]
    page.screenshot(path=shots / "6-runs.png", full_page=True)

    page.reload()  # the run id is in BrowserState: a reload reattaches to the same run
    tab(page, 3)
    page.locator("#train-header", has_text="tiny-bert").wait_for(timeout=30000)
    # ... and shows that run's settings, read-only: the form stays the next job's
    page.locator("#train-run-settings", has_text="Epochs 1").wait_for(timeout=20000)
    assert page.locator("#f-train-epochs input").first.input_value() == "3"  # the default
    page.close()


# Counts the streamed updates the page receives: gradio's client reads the server's event
# stream through fetch; each value a generator yields arrives as one "process_generating"
# message. Installed before the page's own scripts run.
COUNT_STREAMED = """(() => {
  window.__streamed = 0;
  const fetch0 = window.fetch;
  window.fetch = async (...args) => {
    const response = await fetch0(...args);
    const url = String(args[0] && args[0].url || args[0]);
    if (!url.includes('/queue/data') || !response.body) return response;
    const [mine, theirs] = response.body.tee();
    (async () => {
      const reader = mine.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) { const {value, done} = await reader.read(); if (done) break;
        window.__streamed += (value.match(/"process_generating"/g) || []).length; }
    })();
    return new Response(theirs, {headers: response.headers, status: response.status});
  };
})()"""


SNAPSHOT = """() => [...['plot-loss', 'plot-metric', 'plot-lr'].map(
    id => !!document.querySelector(`#${id} .vega-embed`)),
  (document.querySelector('#train-progress-text') || {}).innerText || '']"""


def chat_once(page, text: str, number: int, shots: Path | None = None) -> str:
    """Send one message; it shows at once, its answer must come as a stream of updates
    (several), end as a bubble with text in it (a reply with no visible character says so),
    and leave no error. A screenshot of the page where it failed goes to `shots`."""
    page.evaluate("() => { window.__streamed = 0; }")
    page.locator("#try-chat-input textarea").fill(text)
    page.locator("#try-send").click()
    try:
        page.locator("#try-chat", has_text=text).wait_for(timeout=30000)
    except Exception:
        if shots:  # a busy machine renders slowly: give the picture time
            page.screenshot(path=shots / f"chat-once-{number}-failed.png", timeout=120000)
        raise
    rows = page.locator("#try-chat .bot-row")
    deadline, seen, stable = time.time() + 60, None, 0
    while time.time() < deadline and stable < 3:
        page.wait_for_timeout(200)
        now = (rows.count(), rows.last.inner_text() if rows.count() else "")
        stable = stable + 1 if now == seen and now[0] >= number and now[1].strip() else 0
        seen = now
    assert seen[0] == number and seen[1].strip(), f"answer {number} did not come: {seen}"
    streamed = page.evaluate("() => window.__streamed")
    assert streamed >= 3, f"answer {number} came in {streamed} update(s), not streamed"
    assert not page.locator("#try-message").inner_text().strip()  # no error sentence
    assert page.locator(".toast-body").count() == 0  # nor a gradio pop-up
    return seen[1]


def test_chat_second_run_and_following_it_from_another_browser(server, browser, shots):
    page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
    page.add_init_script(COUNT_STREAMED)
    page.goto(server["url"])
    page.get_by_role("tab", name="1 · Data").wait_for(timeout=30000)
    pick(page, "data-sample", "assistant_chat.json")
    page.locator("#data-summary", has_text="usable rows").wait_for(timeout=30000)
    page.locator("#data-chart .vega-embed").wait_for(timeout=10000)
    bins = page.evaluate("() => Array.from(document.querySelectorAll("
                         "'#data-chart .role-axis-label text')).map(t => t.textContent)")
    lows = [int(b.split("-")[0]) for b in bins if re.match(r"^\d+-\d+$", b)]
    assert len(lows) >= 3 and lows == sorted(lows), bins  # "4-7" never after "34-37"
    page.screenshot(path=shots / "chat-1-data.png", full_page=True)
    tab(page, 2)
    pick(page, "model-preset", "tiny-gpt")
    page.locator("#model-info", has_text="can learn chat").wait_for(timeout=60000)
    # Two generated validation answers (not the default) for BLEU/ROUGE: quicker. A "decide
    # for me" number, so a one-line box. Advanced is on the Train step: from the Model step
    # its toggle is in a hidden tab (why this walk timed out waiting for it).
    tab(page, 3)
    in_advanced(page, lambda: set_text(page, "f-train-generation-samples", 2))
    first = train(page, shots, "chat-", timeout=200)

    # Three messages through the real chat box, each answer streamed in.
    tab(page, 4)
    page.locator("#try-chat-input textarea").wait_for(timeout=30000)
    assert "noise" in page.locator("#try-info").inner_text()
    page.locator("#try-system textarea").fill("You are a helpful assistant.")
    set_number(page, "try-temperature", 5)  # beyond the slider: taken at its bound, no pop-up
    page.wait_for_timeout(500)
    assert page.locator("#try-temperature input[type=number]").first.input_value() == "2"
    set_number(page, "try-temperature", 0.7)
    for number, text in enumerate(("What is the capital of France?", "And of Italy?",
                                   "Thank you!"), start=1):
        chat_once(page, text, number, shots)
    page.screenshot(path=shots / "chat-5-try.png", full_page=True)

    # A second run in the same tab: the first run's curves go, "preparing" until a loss.
    tab(page, 3)
    page.locator("#plot-loss .vega-embed").wait_for(timeout=20000)  # the first run's
    set_number(page, "f-train-epochs", 100)
    # the progress line moves at every step
    in_advanced(page, lambda: set_number(page, "f-train-logging-steps", 1))
    page.locator("#train-estimate", has_text="700 steps").wait_for(timeout=30000)
    page.locator("#train-start").click()
    message = page.locator("#train-message").filter(has_not_text=first)
    message.filter(has_text="submitted").wait_for(timeout=20000)
    second = message.inner_text().split("Run ", 1)[1].split(" ", 1)[0]
    page.locator("#train-header", has_text=second).wait_for(timeout=20000)
    lines, deadline, charts = [], time.time() + 120, [False] * 3
    while not any(charts) and time.time() < deadline:
        page.wait_for_timeout(200)
        *charts, line = page.evaluate(SNAPSHOT)  # the three charts and the line, at once
        lines.append(line)
    assert charts[0], "the second run drew no loss (or another chart before it)"
    before_loss = [x for x in lines[:-1] if x]
    # What the new run prepares ("Preparing: ...", or the base model's evaluation counting its
    # rows and samples), never the first run's steps or time left.
    new_run = ("Preparing", "Evaluating the base model")
    assert all(x.startswith(new_run) for x in before_loss), before_loss
    # On a busy machine the new run's header and its first loss can come in one poll; the
    # line beside that first loss is then already the new run's (its 700 steps).
    assert before_loss or lines[-1].startswith(new_run) or "/700" in lines[-1], lines
    # (the first loss may be the base model's eval loss; then the first training step)
    page.locator("#train-progress-text", has_text="Step").wait_for(timeout=60000)
    page.screenshot(path=shots / "chat-3-second-run.png", full_page=True)

    # Another browser opens the running run from the Runs step and follows it live.
    other = open_page(browser, server["url"])
    tab(other, 5)
    other.locator("#runs-table", has_text=second).wait_for(timeout=30000)
    other.locator("#runs-select").get_by_label(second).check()
    other.locator("#runs-open").click()
    other.locator("#train-header", has_text=second).wait_for(timeout=20000)
    assert other.get_by_role("tab", name="3 · Train").get_attribute("aria-selected") == "true"
    other.locator("#plot-loss .vega-embed").wait_for(timeout=20000)
    other.locator("#train-run-settings", has_text="Epochs 100").wait_for(timeout=20000)
    assert other.locator("#f-train-epochs input").first.input_value() == "3"  # not the run's
    steps = []
    for _ in range(40):
        found = re.search(r"Step (\d+)/", progress(other))
        if found:
            steps.append(int(found.group(1)))
        if len(set(steps)) >= 2:
            break
        other.wait_for_timeout(500)
    assert len(set(steps)) >= 2 and steps == sorted(steps), f"not followed live: {steps}"
    assert "Error" not in other.locator("body").inner_text()
    other.screenshot(path=shots / "follow-live.png", full_page=True)
    # The stop notice clears once the run has ended (the next poll), and a tiny run stops
    # within a step: on a busy machine the notice can come and go between two of the
    # browser's own checks, so every text the message box shows is recorded.
    other.evaluate("""() => { const box = document.querySelector('#train-message');
        window.__said = [];
        new MutationObserver(() => window.__said.push(box.innerText))
            .observe(box, {childList: true, subtree: true, characterData: true}); }""")
    other.locator("#train-stop").click()
    other.locator("#train-status", has_text="stopped").wait_for(timeout=60000)
    said = other.evaluate("() => window.__said")
    assert any("Asked the run to stop" in x for x in said), said
    other.close()
    page.close()


BAD_SETTINGS = {  # field -> (typed, the sentence in English, in Chinese)
    "f-train-learning-rate": ("1e9", "Learning rate must be at most 0.1; 1000000000 is too large.",
                              "学习率最多为 0.1；1000000000 太大了。"),
    "f-train-batch-size": ("0", "Batch size must be at least 1; 0 is too small.",
                           "批大小至少为 1；0 太小了。"),
    "f-train-epochs": ("10000", "Epochs must be at most 100; 10000 is too large.",
                       "训练轮数最多为 100；10000 太大了。"),
}


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_wrong_settings_are_named_next_to_their_field(server, browser, shots, locale):
    zh = locale == "zh-CN"
    page = open_page(browser, server["url"], locale)
    pick(page, "data-sample", "reviews_sentiment.csv")
    page.locator("#data-summary", has_text="200").wait_for(timeout=30000)
    tab(page, 2, locale)
    pick(page, "model-preset", "tiny-bert")
    page.locator("#model-info", has_text="tiny-bert").wait_for(timeout=60000)
    tab(page, 3, locale)
    page.locator("#train-estimate", has_text="180").wait_for(timeout=30000)
    runs_before = len(list((server["workspace"] / "runs").glob("*")))
    start = page.locator("#train-start")
    for elem_id, (typed, english, chinese) in BAD_SETTINGS.items():
        if elem_id == "f-train-learning-rate":
            set_text(page, elem_id, typed)
        else:
            set_number(page, elem_id, typed)
        page.locator(f"#{elem_id}", has_text=chinese if zh else english).wait_for(timeout=10000)
        assert start.is_disabled()
    # Letters in the learning rate: said as such, never dropped for the default.
    set_text(page, "f-train-learning-rate", "abc")
    page.locator("#f-train-learning-rate", has_text="学习率必须是数字；“abc”不是。" if zh
                 else "Learning rate must be a number; “abc” is not.").wait_for(timeout=10000)
    set_number(page, "f-train-batch-size", "")
    page.locator("#f-train-batch-size", has_text="请填写批大小。" if zh
                 else "Batch size needs a value.").wait_for(timeout=10000)
    assert start.is_disabled()
    def share_too_large():  # in the Advanced section
        set_number(page, "f-data-validation-fraction", 5)
        page.locator("#f-data-validation-fraction", has_text="验证集比例最多为 0.5；5 太大了。"
                     if zh else "Validation fraction must be at most 0.5; 5 is too large."
                     ).wait_for(timeout=10000)
    in_advanced(page, share_too_large)
    start.click(force=True)  # a disabled button starts nothing
    page.wait_for_timeout(500)
    assert page.locator(".toast-body").count() == 0  # no gradio pop-up, in any language
    assert "train." not in page.locator("body").inner_text()  # no config path is shown
    page.screenshot(path=shots / f"{'zh-' if zh else ''}3-settings-wrong.png", full_page=True)
    # Put right, the messages go and Start comes back.
    set_text(page, "f-train-learning-rate", "")
    set_number(page, "f-train-batch-size", 16)
    set_number(page, "f-train-epochs", 1)
    in_advanced(page, lambda: set_number(page, "f-data-validation-fraction", 0.1))
    page.wait_for_function("!document.querySelector('#train-start').disabled", timeout=10000)
    assert page.locator(".studio-invalid").count() == 0
    assert len(list((server["workspace"] / "runs").glob("*"))) == runs_before
    page.close()


# ---- the Chinese page: no English left ---------------------------------------------------

# Names that stay as they are in any language: model and format names, metric and technical
# abbreviations, file names, run ids and model ids (patterns below).
ALLOWED = {"BERT", "GPT", "T5", "LoRA", "Hugging", "Face", "Hub", "ID", "CSV", "TSV", "JSON",
           "JSONL", "Parquet", "Excel", "YAML", "KB", "MB", "GB", "token", "Top-p", "BLEU",
           "ROUGE-L", "BLEU/ROUGE", "chrF", "F1", "AdamW", "Adafactor", "SGD", "bf16", "fp16",
           "fp32", "CPU", "GPU", "numpy", "dropout", "Dropout", "alpha", "Alpaca", "ShareGPT",
           "utf-8", "utf-16", "gb18030", "cp1252", "job.yaml", "GGUF", "ONNX", "Ollama",
           "llama.cpp", "onnxruntime", "transformers", "zip", "Python", "API", "RoBERTa",
           "MiniLM-L6", "SmolLM2", "SmolLM2-135M", "Qwen2.5", "Flan-T5", "mT5", "GPT-2", "Llama",
           # the Export panel's format, program and API names, and the Hub id's form
           "merged", "curl", "OpenAI", "Qwen2", "owner/name", "Modelfile", "top-p",
           # model architectures packing supports, and the multi-process launcher's name
           "Mistral", "Qwen", "torchrun",
           # authors and papers the advisor's reasons cite ("Mosbach 等 2021")
           "Brown", "Dettmers", "Devlin", "Hu", "Mosbach", "Raffel", "Taori", "Zhang", "GPT-3"}
ALLOWED_PATTERNS = (
    r"^\d{8}-\d{6}-[\w.-]+$|^[0-9a-f]{12}$",  # a run id, or its short form in a legend
    r"^[\w.-]+\.(csv|tsv|json|jsonl|parquet|xlsx|txt|yaml|zip|gguf|onnx)$",  # a file name
    r"^tiny-(bert|gpt|t5)$|^minilm-l6$|^smollm2-[\w.-]+$|^qwen[\w.-]+$|^mt5-small$|"
    r"^flan-t5-small$|^t5-small$|^gpt2$|^bert-base-[\w-]+$|^roberta-base$",  # preset names
    r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$",  # an environment variable (HF_TOKEN)
    r"^\d+(\.\d+)?[kMB]?$",           # a count: 4.4M
)
# Where the page shows the user's own data or code, not its own words.
DATA_REGIONS = ("[data-testid=status-tracker]", "#data-preview", ".file-preview",
                "[id^=role-] input", "#data-chart .role-axis-label", "#train-log",
                "#train-command", "code", "#try-chat .message-row", "#try-errors .body-cell",
                "#try-samples .body-cell", ".sizing-body", "#try-confusion", "#try-label",
                "#try-text", "#try-chat-input", "#try-system", "footer", "#runs-select",
                "[id^=f-] input:not([role=combobox])", "#model-custom input")

VISIBLE_TEXT = """(excluded) => {
  const out = [], root = document.querySelector('.main') || document.body;
  const where = el => { const block = el.closest('[id]');
    return (block ? '#' + block.id : '') + ' ' + el.tagName + '.' + el.classList[0]; };
  const seen = el => { const r = el.getClientRects(); if (!r.length) return false;
    const s = getComputedStyle(el); return s.visibility !== 'hidden' && s.opacity !== '0'; };
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
    if (text && !['SCRIPT', 'STYLE'].includes(el.tagName) && !el.closest(excluded) && seen(el))
      out.push([text, where(el)]);
  }
  root.querySelectorAll('input, textarea').forEach(i => {
    if (i.closest(excluded) || !seen(i) || ['checkbox', 'radio', 'file'].includes(i.type))
      return;
    if (i.getAttribute('role') === 'combobox') out.push([i.value, where(i)]);  // a choice
    if (i.placeholder) out.push([i.placeholder, where(i)]);
  });
  return out;
}"""


def english_words(page) -> list[str]:
    """ASCII words on the visible page outside the data regions and the allowed names, each
    with where it is ('word (#elem-id TAG.class)')."""
    bad = set()
    for text, where in page.evaluate(VISIBLE_TEXT, ", ".join(DATA_REGIONS)):
        text = re.sub(r"[“「‘][^”」’]*[”」’]", " ", text)  # a quoted value is the user's
        for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9_.\-/]*[A-Za-z0-9]|[A-Za-z]", text):
            if re.search(r"[A-Za-z]{2}", word) and word not in ALLOWED and not any(
                    re.match(p, word) for p in ALLOWED_PATTERNS):
                bad.add(f"{word} ({where})")
    return sorted(bad)


def no_english(page, step: str) -> None:
    page.wait_for_timeout(400)
    words = english_words(page)
    assert not words, f"English on the Chinese {step} step: {words}"
    # What a screen reader says and gradio's tooltips (its hard-coded English included).
    from test_gradio_words import english_labels
    labels = english_labels(page, lambda word: word in ALLOWED or any(
        re.match(p, word) for p in ALLOWED_PATTERNS))
    assert not labels, f"English labels on the Chinese {step} step: {labels}"


@pytest.fixture(scope="module")
def finished_runs(server):
    """A finished tiny-bert and tiny-gpt run in the server's workspace (trained by the walks
    above when they ran, else here, in-process): {model: run id}."""
    from helpers import make_job, train_in_process
    from studio.runs import Registry
    registry = Registry(server["workspace"])

    def done(model):
        return next((r.id for r in registry.list(100) if r.model == model and
                     r.status == "done"), None)
    for model, sample in (("tiny-bert", "reviews_sentiment.csv"),
                          ("tiny-gpt", "assistant_chat.json")):
        if done(model) is None:
            cfg = make_job(SAMPLES / sample, model, train__epochs=1, train__batch_size=16)
            train_in_process(cfg, server["workspace"])
    return {m: done(m) for m in ("tiny-bert", "tiny-gpt")}


def test_chinese_page_has_no_english_left(server, browser, shots, finished_runs):
    zh = "zh-CN"
    page = open_page(browser, server["url"], zh)
    from test_gradio_words import RECORD
    page.evaluate(RECORD)  # gradio's status overlays and live sentences, kept for the end
    for name in TABS[zh][1:]:
        assert page.get_by_role("tab", name=name).count() == 1, name
    page.set_input_files("#data-upload input[type=file]", str(SAMPLES / "reviews_sentiment.csv"))
    summary = page.locator("#data-summary", has_text="可用 200 行")
    summary.wait_for(timeout=30000)
    assert "任务：文本分类" in summary.inner_text() and "标签：" in summary.inner_text()
    assert page.locator("#data-problems").inner_text().strip() == "✔ 该文件没有发现问题。"
    page.locator("#data-chart .vega-embed").wait_for(timeout=10000)
    no_english(page, "Data")
    page.screenshot(path=shots / "zh-1-data.png", full_page=True)

    tab(page, 2, zh)
    pick(page, "model-preset", "tiny-bert")
    page.locator("#model-info", has_text="噪声").wait_for(timeout=60000)  # tiny: says so
    assert "个参数" in page.locator("#model-info").inner_text()
    assert "该模型可以学习文本分类任务" in page.locator("#model-info").inner_text()
    page.get_by_text("全部预设模型").click()
    no_english(page, "Model")
    page.screenshot(path=shots / "zh-2-model.png", full_page=True)

    tab(page, 3, zh)
    page.locator("#train-estimate", has_text="行训练数据").wait_for(timeout=30000)
    page.locator("#train-advanced").get_by_text("高级").first.click()
    no_english(page, "Train (settings)")

    # A finished classification run, opened from the Runs step: Try, then its curves.
    tab(page, 5, zh)
    bert, gpt = finished_runs["tiny-bert"], finished_runs["tiny-gpt"]
    page.locator("#runs-table", has_text=bert).wait_for(timeout=30000)
    page.locator("#runs-select").get_by_label(bert).check()
    page.locator("#runs-overlay").click()
    page.locator("#runs-plot .role-legend-label").first.wait_for(timeout=20000)
    assert legend(page, "runs-plot") == [f"{bert[-12:]} · 训练", f"{bert[-12:]} · 验证"]
    no_english(page, "Runs")
    page.screenshot(path=shots / "zh-6-runs.png", full_page=True)
    page.locator("#runs-open").click()
    page.locator("#try-info", has_text=bert).wait_for(timeout=30000)
    page.locator("#try-metrics", has_text="准确率").wait_for(timeout=30000)
    no_english(page, "Try (classification)")
    page.screenshot(path=shots / "zh-5-try.png", full_page=True)

    tab(page, 3, zh)
    page.locator("#train-status", has_text="训练完成").wait_for(timeout=30000)
    page.locator("#plot-metric .role-legend-label").first.wait_for(timeout=20000)
    assert legend(page, "plot-loss") == ["训练", "验证"]
    assert legend(page, "plot-metric") == ["准确率", "宏 F1"]
    page.locator("#train-advanced").get_by_text("高级").first.click()  # closed again
    no_english(page, "Train (a finished run)")
    page.screenshot(path=shots / "zh-3-train.png", full_page=True)

    # The chat run in the playground.
    tab(page, 5, zh)
    page.locator("#runs-select").get_by_label(bert).uncheck()
    page.locator("#runs-select").get_by_label(gpt).check()
    page.locator("#runs-open").click()
    page.locator("#try-chat-input textarea").wait_for(timeout=30000)
    page.locator("#try-chat-input textarea").fill("你好")
    page.locator("#try-send").click()
    page.locator("#try-chat .bot-row").first.wait_for(timeout=30000)
    page.locator("#try-samples", has_text="参考答案").wait_for(timeout=30000)
    no_english(page, "Try (chat)")
    page.screenshot(path=shots / "zh-5-try-chat.png", full_page=True)
    said = page.evaluate("Array.from(window.__said)")
    assert any("处理中" in s or "完成" in s for s in said), said
    assert not [s for s in said if re.search(r"[A-Za-z]{3,}", s)], said  # "processing |" ...
    page.close()


# ---- files the studio cannot use as they are ---------------------------------------------

def test_broken_file_shows_error(server, browser, shots, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"text": "fine", "label": "a"},\n {"text": "no comma" "label": "b"}]')
    page = open_page(browser, server["url"])
    page.set_input_files("#data-upload input[type=file]", str(broken))
    box = page.locator("#data-summary", has_text="not valid JSON")
    box.wait_for(timeout=30000)
    assert "Traceback" not in page.content()
    assert not page.locator("#data-preview").is_visible()  # no empty "1 2 3" grid
    page.screenshot(path=shots / "error-broken-file.png", full_page=True)
    page.close()


def test_spilled_csv_is_joined_back_and_said(server, browser, shots, tmp_path):
    """Unquoted commas split the text over unnamed columns: the Data step joins it back and
    says so, and offers to exclude those rows instead."""
    rows = ["label,text", "neg,slow, long, and dull", "pos,funny, warm, and wise"]
    rows += [f"{'pos' if i % 2 else 'neg'},review {i} was fine" for i in range(30)]
    spilled = tmp_path / "spilled.csv"
    spilled.write_text("\n".join(rows) + "\n")
    page = open_page(browser, server["url"])
    page.set_input_files("#data-upload input[type=file]", str(spilled))
    summary = page.locator("#data-summary", has_text="32 usable rows")
    summary.wait_for(timeout=30000)
    page.wait_for_function("document.body.innerText.includes("
                           "'2 rows have text in unnamed columns')", timeout=10000)
    assert "joined back into column text" in page.locator("body").inner_text()
    assert "slow, long, and dull" in page.locator("body").inner_text()  # whole, in preview
    page.screenshot(path=shots / "error-spilled-csv.png", full_page=True)
    page.close()


def start_untouched(page, server, epochs: str) -> dict:
    """Start from the Train step with only Epochs set (Advanced untouched), wait for the run
    to end; the run's job.yaml as the engine resolved it."""
    slow_tab(page, 3)
    page.locator("#train-estimate", has_text="steps per epoch").wait_for(timeout=60000)
    set_number(page, "f-train-epochs", epochs)
    page.locator("#train-estimate", has_text="steps per epoch").wait_for(timeout=60000)
    page.locator("#train-start").click()
    message = page.locator("#train-message", has_text="submitted")
    message.wait_for(timeout=30000)  # not refused
    run_id = message.inner_text().split("Run ", 1)[1].split(" ", 1)[0]
    # the header names the new run once its first events are read (then the status is its)
    page.locator("#train-header", has_text=run_id).wait_for(timeout=240000)
    assert page.locator("#train-run-settings").inner_text().strip() == ""  # the opened run's
    page.locator("#train-status", has_text="finished").wait_for(timeout=300000)
    return yaml.safe_load((server["workspace"] / "runs" / run_id / "job.yaml").read_text())


def slow_tab(page, number: int) -> None:
    """A tab click that waits out a busy page (a chart drawing on a loaded machine)."""
    page.get_by_role("tab", name=TABS["en-US"][number - 1]).click(timeout=120000)


def shown_in_advanced(page, paths) -> dict:
    out = {}
    in_advanced(page, lambda: out.update(
        {p: page.locator("#f-" + p.replace(".", "-").replace("_", "-")).first.is_visible()
         for p in paths}))
    return out


ADVANCED = ("method.lora_r", "method.bf16_base", "data.system_prompt",
            "train.generation_samples", "train.packing", "train.group_by_length",
            "train.freeze_embeddings")


def test_opened_run_never_becomes_the_next_job(server, browser, shots, tmp_path):
    """a GPT chat run (LoRA, packing, max rows, a name) is opened; then in the same
    tab a T5 pairs run and a BERT classification run start without touching Advanced, never
    refused, each with its own model's resolved defaults; Advanced shows what applies."""
    from tests.conftest import run_cli
    r = run_cli("train", "--data", str(SAMPLES / "assistant_chat.json"), "--model", "tiny-gpt",
                "--workspace", str(server["workspace"]), "--name", "inherited-chat",
                "train.max_steps=2", "train.threads=1", "train.eval_before=false",
                "train.generation_samples=1", "method.method=lora", "method.lora_r=16",
                "train.packing=true", "data.max_rows=40", "data.system_prompt=Be brief.")
    assert r.returncode == 0, r.stderr[-2000:]
    page = open_page(browser, server["url"])
    page.set_default_timeout(120000)  # three trainings in one tab on a shared machine
    slow_tab(page, 5)
    page.locator("#runs-refresh").click()
    box = page.locator("#runs-select label", has_text="inherited-chat").first
    box.wait_for(timeout=30000)
    box.click()
    page.locator("#runs-open").click()
    slow_tab(page, 3)
    shown = page.locator("#train-run-settings", has_text="inherited-chat")
    shown.wait_for(timeout=30000)
    assert "Max rows 40" in shown.inner_text() and "Lora r 16" in shown.inner_text()

    # T5 on input -> target pairs, Advanced untouched
    slow_tab(page, 1)
    pick(page, "data-sample", "translation_en_zh.csv")
    page.locator("#data-summary", has_text="usable rows").wait_for(timeout=30000)
    slow_tab(page, 2)
    pick(page, "model-preset", "tiny-t5")
    page.locator("#model-info", has_text="can learn").wait_for(timeout=60000)
    t5 = start_untouched(page, server, "0.05")
    assert t5["model"]["name"] == "tiny-t5" and t5["name"] != "inherited-chat"
    assert t5["train"]["packing"] is False and t5["method"]["method"] == "full"
    assert t5["data"]["max_rows"] == 0 and t5["method"]["lora_r"] == 8
    assert shown_in_advanced(page, ADVANCED) == {
        "method.lora_r": False, "method.bf16_base": False, "data.system_prompt": True,
        "train.generation_samples": True, "train.packing": False,
        "train.group_by_length": True, "train.freeze_embeddings": True}
    page.screenshot(path=shots / "i22-t5-advanced.png", full_page=True)

    # classification with tiny-bert, still untouched
    slow_tab(page, 1)
    pick(page, "data-sample", "reviews_sentiment.csv")
    page.locator("#data-summary", has_text="200 usable rows").wait_for(timeout=30000)
    slow_tab(page, 2)
    pick(page, "model-preset", "tiny-bert")
    page.locator("#model-info", has_text="can learn classification").wait_for(timeout=60000)
    bert = start_untouched(page, server, "0.1")
    assert bert["model"]["name"] == "tiny-bert" and bert["task"] == "classification"
    assert bert["train"]["packing"] is True and bert["method"]["method"] == "full"
    assert bert["train"]["freeze_embeddings"] is True and bert["data"]["max_rows"] == 0
    assert bert["data"]["system_prompt"] == "" and bert["name"] != "inherited-chat"
    assert shown_in_advanced(page, ADVANCED) == {
        "method.lora_r": False, "method.bf16_base": False, "data.system_prompt": False,
        "train.generation_samples": False, "train.packing": True,
        "train.group_by_length": False, "train.freeze_embeddings": True}
    page.close()
