"""The walk in hosted mode, in headless Chromium: `python app.py --hosted`.

Browser A uploads the sample through the file box, picks tiny-bert, trains and sees the
curves; the page says it is hosted and has no trust_remote_code field; browser B (a second
browser context: its own cookie, its own storage) sees none of A's runs, A sees its own.
"""
from __future__ import annotations

import re

from pathlib import Path

import pytest

from hosted_app import SAMPLES
from test_browser import CHROMIUM, open_page, pick, train

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium is not installed (/usr/bin/chromium)")


@pytest.fixture(scope="module")
def server(tmp_path_factory, app_server):
    app = app_server(tmp_path_factory.mktemp("hosted-browser-ws"), "--hosted")
    yield {"url": app.url, "workspace": app.workspace, "app": app}


def runs_table(page) -> str:
    page.get_by_role("tab", name="5 · Runs").click()
    page.locator("#runs-refresh").click()
    page.wait_for_timeout(500)
    # The refresh also rebuilds the leaderboard; while it runs the table shows gradio's timer
    # ("0.9s") over the old rows, and on a busy machine it may not have started yet (the
    # empty table's placeholder headers "1 2 3"), so wait until neither is shown (a browser
    # with no runs keeps the placeholder: its text is returned after the wait).
    placeholder = re.compile(r"^\s*Run history\s*1\s*2\s*3\s*$")
    for _ in range(120):
        text = page.locator("#runs-table").inner_text()
        if not re.match(r"\s*\d+(\.\d+)?s\b", text) and not placeholder.match(text):
            return text
        page.wait_for_timeout(250)
    return text


def test_hosted_walk_and_a_second_browser_sees_nothing(server, browser, tmp_path):
    shots = tmp_path / "screens"
    shots.mkdir()
    a = open_page(browser, server["url"])  # browser.new_page: a context of its own
    a.locator("#studio-mode", has_text="Hosted mode").wait_for(timeout=30000)
    assert "private to this browser" in a.locator("#studio-mode").inner_text()
    a.set_input_files("#data-upload input[type=file]", str(SAMPLES / "reviews_sentiment.csv"))
    a.locator("#data-summary", has_text="200 usable rows").wait_for(timeout=30000)

    a.get_by_role("tab", name="2 · Model").click()
    placeholder = a.locator("#model-custom textarea, #model-custom input").first
    assert placeholder.get_attribute("placeholder") == "preset or Hub id owner/name"
    pick(a, "model-preset", "tiny-bert")
    a.locator("#model-info", has_text="can learn classification").wait_for(timeout=60000)

    a.get_by_role("tab", name="3 · Train").click()
    a.locator("#train-advanced").get_by_text("Advanced").first.click()
    assert a.locator("#f-model-trust-remote-code").count() == 0
    run_id = train(a, shots, "hosted")  # waits for the curves and the finished status
    assert run_id in runs_table(a)

    b = open_page(browser, server["url"])
    b.locator("#studio-mode", has_text="Hosted mode").wait_for(timeout=30000)
    table = runs_table(b)
    assert run_id not in table and "tiny-bert" not in table
    assert run_id not in b.content()  # nor in the Try step's run list, nor anywhere
    b.screenshot(path=shots / "hosted-b-runs.png", full_page=True)
    a.close()
    b.close()
