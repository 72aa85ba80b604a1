"""The studio in a real browser: `python app.py` on a free port, driven by headless Chromium.

Flow 1: upload a CSV, pick tiny-bert, train, watch the curve fill, classify in the playground.
Flow 2: chat with a tiny-gpt run trained on the chat sample.
Flow 3: upload a broken file and read the error sentence.
Screenshots of every step go to the test's output folder (tmp_path / "screens", or
$STUDIO_SCREENSHOTS when set, which is how docs/screenshots is refreshed).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SAMPLES = ROOT / "assets" / "samples"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium is not installed (/usr/bin/chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    ws = tmp_path_factory.mktemp("browser-ws")
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    log = open(ws / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--workspace",
                             str(ws)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("app.py exited: " + (ws / "server.log").read_text()[-2000:])
            time.sleep(0.5)
    yield {"url": url, "workspace": ws}
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("STUDIO_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser, url, locale="en-US"):
    page = browser.new_page(locale=locale, viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_role("tab", name="1 · Data").wait_for(timeout=30000)
    return page


def pick(page, elem_id: str, option: str) -> None:
    """Choose an option of a gr.Dropdown."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option).first.click()


def set_number(page, elem_id: str, value) -> None:
    box = page.locator(f"#{elem_id} input[type=number]").first
    box.fill(str(value))
    box.press("Tab")


def train(page, shots: Path, prefix: str, timeout: float = 150) -> str:
    """Start training with small settings and wait for the run to finish, curves drawn;
    returns the run id."""
    page.get_by_role("tab", name="3 · Train").click()
    set_number(page, "f-train-epochs", 1)
    set_number(page, "f-train-batch-size", 16)
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
    page.screenshot(path=shots / f"{prefix}-3-training.png", full_page=True)
    page.locator("#train-status", has_text="finished").wait_for(timeout=timeout * 1000)
    page.wait_for_timeout(1500)
    page.screenshot(path=shots / f"{prefix}-4-trained.png", full_page=True)
    return run_id


def test_classification_walk(server, browser, shots):
    page = open_page(browser, server["url"])
    page.screenshot(path=shots / "1-0-start.png", full_page=True)
    page.set_input_files("#data-upload input[type=file]", str(SAMPLES / "reviews_sentiment.csv"))
    page.locator("#data-summary", has_text="200 usable rows").wait_for(timeout=30000)
    page.screenshot(path=shots / "1-1-data.png", full_page=True)

    page.get_by_role("tab", name="2 · Model").click()
    pick(page, "model-preset", "tiny-bert")
    page.locator("#model-info", has_text="can learn classification").wait_for(timeout=60000)
    page.screenshot(path=shots / "1-2-model.png", full_page=True)

    page.get_by_role("tab", name="3 · Train").click()
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
    run_id = train(page, shots, "1")
    command = page.locator("#train-command").inner_text()
    assert "python -m studio train" in command and "--workspace" in command
    job = yaml.safe_load((server["workspace"] / "runs" / run_id / "job.yaml").read_text())
    assert job["train"]["dropout"] is None  # untouched: the model keeps its own dropout
    assert job["train"]["epochs"] == 1 and job["train"]["batch_size"] == 16

    page.get_by_role("tab", name="4 · Try").click()
    page.locator("#try-text textarea").wait_for(timeout=30000)
    page.locator("#try-text textarea").fill("The staff were friendly and the food was great.")
    page.locator("#try-classify").click()
    page.locator("#try-label", has_text="positive").wait_for(timeout=60000)
    page.locator("#try-label", has_text="%").wait_for(timeout=10000)
    page.screenshot(path=shots / "1-5-try.png", full_page=True)

    page.get_by_role("tab", name="5 · Runs").click()
    page.locator("#runs-table", has_text="tiny-bert").wait_for(timeout=30000)
    page.screenshot(path=shots / "1-6-runs.png", full_page=True)

    page.reload()  # the run id is in BrowserState: a reload reattaches to the same run
    page.get_by_role("tab", name="3 · Train").click()
    page.locator("#train-header", has_text="tiny-bert").wait_for(timeout=30000)
    page.close()


def test_chat_walk(server, browser, shots):
    page = open_page(browser, server["url"])
    pick(page, "data-sample", "assistant_chat.json")
    page.locator("#data-summary", has_text="usable rows").wait_for(timeout=30000)
    page.get_by_role("tab", name="2 · Model").click()
    pick(page, "model-preset", "tiny-gpt")
    page.locator("#model-info", has_text="can learn chat").wait_for(timeout=60000)
    page.screenshot(path=shots / "2-2-model.png", full_page=True)
    train(page, shots, "2", timeout=200)

    page.get_by_role("tab", name="4 · Try").click()
    page.locator("#try-chat-input textarea").wait_for(timeout=30000)
    page.locator("#try-system textarea").fill("You are a helpful assistant.")
    page.locator("#try-chat-input textarea").fill("What is the capital of France?")
    page.locator("#try-send").click()
    page.locator("#try-chat", has_text="What is the capital of France?").wait_for(timeout=30000)
    page.wait_for_timeout(4000)
    bubbles = page.locator("#try-chat .message")
    assert bubbles.count() >= 2, "the assistant's reply did not appear"
    page.screenshot(path=shots / "2-5-chat.png", full_page=True)
    page.close()


def test_broken_file_shows_error(server, browser, shots, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"text": "fine", "label": "a"},\n {"text": "no comma" "label": "b"}]')
    page = open_page(browser, server["url"])
    page.set_input_files("#data-upload input[type=file]", str(broken))
    box = page.locator("#data-summary", has_text="not valid JSON")
    box.wait_for(timeout=30000)
    assert "Traceback" not in page.content()
    page.screenshot(path=shots / "3-1-broken.png", full_page=True)
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
    page.screenshot(path=shots / "3-2-spilled.png", full_page=True)
    page.close()


def test_chinese_ui(server, browser, shots):
    """A browser that asks for Chinese gets Chinese labels (gr.I18n) and Chinese sentences
    built at run time (the data summary, the problems box, the model check)."""
    page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.get_by_role("tab", name="1 · 数据").wait_for(timeout=30000)
    for name in ("2 · 模型", "3 · 训练", "4 · 试用", "5 · 记录"):
        assert page.get_by_role("tab", name=name).count() == 1, name
    page.set_input_files("#data-upload input[type=file]", str(SAMPLES / "reviews_sentiment.csv"))
    summary = page.locator("#data-summary", has_text="可用 200 行")
    summary.wait_for(timeout=30000)
    text = summary.inner_text()
    assert "任务：文本分类" in text and "标签：" in text and "usable rows" not in text
    assert page.locator("#data-problems").inner_text().strip() == "✔ 该文件没有发现问题。"
    page.screenshot(path=shots / "4-1-data-zh.png", full_page=True)
    page.get_by_role("tab", name="2 · 模型").click()
    pick(page, "model-preset", "tiny-bert")
    info = page.locator("#model-info", has_text="该模型可以学习文本分类任务")
    info.wait_for(timeout=60000)
    assert "个参数" in info.inner_text() and "parameters" not in info.inner_text()
    page.close()
