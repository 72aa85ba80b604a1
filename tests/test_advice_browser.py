"""The training-health advisor in a real browser: a tiny-bert run with learning rate 0.03
(30x the usual: its loss jumps back up, see tests/advisor/test_advisor_runs.py) ends with the
finding on the Train step; "Train again with these settings" sets the learning rate the
finding suggests, says what changed, and leaves the other settings as the user set them."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import toy_sentiment
from test_browser import CHROMIUM, in_advanced, open_page, pick, server, set_number, \
    set_text, tab  # noqa: F401 - server: the app over a fresh workspace

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (/usr/bin/chromium)")]


def test_lr_too_high_finding_and_its_one_click(server, browser, tmp_path):  # noqa: F811
    data = tmp_path / "sentiment.csv"
    pd.DataFrame(toy_sentiment(240)).to_csv(data, index=False)
    page = open_page(browser, server["url"])
    page.set_input_files("#data-upload input[type=file]", str(data))
    page.locator("#data-summary", has_text="usable rows").wait_for(timeout=30000)
    tab(page, 2)
    pick(page, "model-preset", "tiny-bert")
    page.locator("#model-info", has_text="can learn classification").wait_for(timeout=60000)

    tab(page, 3)
    page.locator("#train-estimate", has_text="training rows").wait_for(timeout=30000)
    set_text(page, "f-train-learning-rate", "0.03")
    set_number(page, "f-train-batch-size", 8)

    def small():
        set_number(page, "f-train-threads", 1)
        set_number(page, "f-train-max-steps", 30)
        set_number(page, "f-train-logging-steps", 1)
    in_advanced(page, small)
    page.locator("#train-estimate", has_text="(8 rows per step)").wait_for(timeout=30000)
    page.locator("#train-start").click()
    page.locator("#train-message", has_text="submitted").wait_for(timeout=20000)
    page.locator("#train-status", has_text="finished").wait_for(timeout=240000)

    advice = page.locator("#train-advice", has_text="What the curves say")
    advice.wait_for(timeout=20000)
    assert "the learning rate is too high; try 0.003" in advice.inner_text()
    page.locator("#train-advice-apply").click()
    page.locator("#train-advice-message", has_text="Learning rate 0.03 → 0.003").wait_for(
        timeout=20000)
    lr = page.locator("#f-train-learning-rate input, #f-train-learning-rate textarea").first
    assert lr.input_value() == "0.003"
    batch = page.locator("#f-train-batch-size input[type=number]").first
    assert batch.input_value() == "8"  # what the user set stays
