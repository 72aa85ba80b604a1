""""Try several" in a real browser: `python app.py` on a free port, headless Chromium.

The sample sentiment CSV, tiny-bert picked on the Model step; on the Train step the panel
offers the presets that can classify, tiny-gpt is ticked too, the button says "Start 2 runs",
and both candidates train (one after another, on the same split) until both progress lines
say done. Screenshot: sweep-1-done.png (tmp_path / "screens", or $STUDIO_SCREENSHOTS).
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from studio.runs import Registry
from test_browser import server  # noqa: F401 - the app on a free port, a fresh workspace

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SAMPLE = ROOT / "assets" / "samples" / "reviews_sentiment.csv"

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (/usr/bin/chromium)")]


def set_number(page, elem_id: str, value) -> None:
    box = page.locator(f"#{elem_id} input[type=number]").first
    box.fill(str(value))
    box.press("Tab")


def test_a_two_candidate_sweep_from_the_page(server, browser, tmp_path):
    shots = Path(os.environ.get("STUDIO_SCREENSHOTS") or tmp_path / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
    page.goto(server["url"])
    page.get_by_role("tab", name="1 · Data").wait_for(timeout=30000)
    page.set_input_files("#data-upload input[type=file]", str(SAMPLE))
    page.locator("#data-summary", has_text="200 usable rows").wait_for(timeout=30000)
    page.get_by_role("tab", name="2 · Model").click()
    page.locator("#model-preset input").click()
    page.get_by_role("option", name="tiny-bert").first.click()
    page.locator("#model-info", has_text="can learn classification").wait_for(timeout=60000)

    page.get_by_role("tab", name="3 · Train").click()
    page.locator("#train-estimate", has_text="steps per epoch").wait_for(timeout=30000)
    set_number(page, "f-train-epochs", 1)
    page.locator("#train-advanced > button.label-wrap").first.click()
    set_number(page, "f-train-threads", 1)  # two contending torch threads crawl on 2 cores
    page.locator("#train-advanced > button.label-wrap").first.click()

    page.locator("#sweep-panel > button.label-wrap").first.click()
    models = page.locator("#sweep-models")
    models.get_by_label(re.compile(r"tiny-gpt")).check()
    if not models.get_by_label(re.compile(r"tiny-bert")).is_checked():
        models.get_by_label(re.compile(r"tiny-bert")).check()
    start = page.locator("#sweep-start")
    page.locator("#sweep-start", has_text="Start 2 runs").wait_for(timeout=30000)
    assert "tiny-bert; tiny-gpt" in page.locator("#sweep-count").inner_text()
    start.click()
    page.locator("#sweep-message", has_text="Queued 2 runs").wait_for(timeout=60000)
    lines = page.locator("#sweep-progress li.sweep-line")
    lines.first.wait_for(timeout=10000)
    assert lines.count() == 2
    done = page.locator('#sweep-progress li.sweep-line[data-status="done"]')
    deadline = time.time() + 300
    while done.count() < 2 and time.time() < deadline:
        page.wait_for_timeout(1000)
    page.screenshot(path=shots / "sweep-1-done.png", full_page=True)
    texts = lines.all_inner_texts()
    assert done.count() == 2, texts
    assert texts[0].startswith("tiny-bert — done — step 12/12 accuracy")
    assert texts[1].startswith("tiny-gpt — done — step 12/12 accuracy")

    runs = Registry(server["workspace"]).list()
    assert sorted(r.name for r in runs) == ["tiny-bert", "tiny-gpt"]
    folders = [Registry(server["workspace"]).folder(r) for r in runs]
    assert len({f.config().sweep for f in folders}) == 1  # one sweep, known to both runs
    keys = [[row["key"] for row in f.outputs("predictions")] for f in folders]
    assert keys[0] and keys[0] == keys[1]  # the same validation rows
