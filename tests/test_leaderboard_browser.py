"""Step 5's leaderboard and side-by-side view in a real browser: `python app.py` over a
workspace holding three finished tiny-bert runs on the same toy reviews (same data, same
split, three learning rates), trained here before the app starts.

The leaderboard shows every run with its interval and the engine's verdict sentence; the
side-by-side view lists exactly the disagreeing rows worked out here from the runs'
predictions files, and filters them by label; "Use this run" opens the run in Try.
Screenshots go to $STUDIO_SCREENSHOTS (how docs/screenshots is refreshed), else tmp_path.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import make_job, train_in_process
import test_browser
from test_browser import CHROMIUM, open_page, tab

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (/usr/bin/chromium)")]
RATES = {"bert-lr5e-3": 5e-3, "bert-lr1e-3": 1e-3, "bert-lr2e-4": 2e-4}


@pytest.fixture(scope="module")
def server(tmp_path_factory, data_dir, app_server):
    """Keyword-labelled reviews (conftest.toy_sentiment) that a tiny model learns in a few
    epochs, so the learning rates give different scores and different mistakes."""
    ws = tmp_path_factory.mktemp("leaderboard-browser-ws")
    runs = {}
    for name, lr in RATES.items():
        cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__epochs=6,
                       train__learning_rate=lr, data__validation_fraction=0.25, name=name)
        code, run_dir, _ = train_in_process(cfg, ws)
        assert code == 0
        runs[name] = run_dir
    app = app_server(ws)
    yield {"url": app.url, "workspace": ws, "runs": runs}




def predictions(run_dir: Path) -> dict[str, dict]:
    """A run's validation predictions by key, straight from its file."""
    from studio.runfolder import RunFolder
    text = RunFolder(run_dir).outputs_file("predictions", "after").read_text(encoding="utf-8")
    return {r["key"]: r for r in map(json.loads, text.splitlines())}


def disagreeing(a: dict, b: dict) -> list[dict]:
    return [a[k] for k in a if k in b and
            (a[k]["label"] == a[k]["predicted"]) != (b[k]["label"] == b[k]["predicted"])]


def test_leaderboard_and_side_by_side(server, browser, shots):
    from studio.leaderboard import board
    from studio.runs import Registry
    (group,) = board(Registry(server["workspace"]))
    first, second = group.entries[0], group.entries[1]

    page = open_page(browser, server["url"])
    tab(page, 5)
    cells = page.locator("#lb-table .body-cell")
    for name in RATES:
        cells.filter(has_text=name).first.wait_for(timeout=30000)
    intervals = re.findall(r"\d+\.\d – \d+\.\d", page.locator("#lb-table").inner_text())
    assert len(intervals) == 3
    assert f"{first.score.low:.1f} – {first.score.high:.1f}" in intervals
    verdict = page.locator("#lb-verdict").inner_text()
    assert group.verdict.message in verdict
    assert verdict.index(first.label) < verdict.index(second.label)
    assert re.search(r"\(95% CI -?\d+\.\d to -?\d+\.\d; McNemar p = [\d.e-]+, 60 rows\)\.",
                     verdict)
    page.locator("#leaderboard").screenshot(path=shots / "leaderboard.png")

    # Side by side: the best two are chosen; the disagreeing rows are the files' own.
    page.locator("#cmp-go").click()
    note = page.locator("#cmp-rows-note")
    note.get_by_text("validation rows").wait_for(timeout=30000)
    runs = server["runs"]
    a, b = predictions(runs[first.label]), predictions(runs[second.label])
    expected = disagreeing(a, b)
    assert expected, "the two runs should disagree on some rows"
    assert note.inner_text().startswith(f"ℹ {len(expected)} of the {len(a)} validation rows")
    rows_text = page.locator("#cmp-rows").inner_text()
    for row in expected[:5]:
        assert row["text"] in rows_text
    assert page.locator("#cmp-diff .body-cell").filter(has_text="Learning rate").count() == 1
    page.locator("#cmp-plot .role-legend-label").first.wait_for(timeout=20000)
    page.wait_for_timeout(500)
    page.locator("#compare").screenshot(path=shots / "compare.png")

    label = expected[0]["label"]
    page.locator("#cmp-label input").click()
    page.get_by_role("option", name=label, exact=True).click()
    shown = sum(1 for r in expected if r["label"] == label)
    page.locator("#cmp-rows-note").get_by_text(f"{shown} are shown").wait_for(timeout=20000)

    # "Use this run" opens the chosen run in the playground.
    page.locator("#lb-use").click()
    page.locator("#try-run input").wait_for(timeout=20000)
    page.wait_for_function("id => document.querySelector('#try-run input').value.includes(id)",
                           arg=first.run_id, timeout=20000)
    page.close()


def test_chinese_leaderboard_and_side_by_side(server, browser):
    page = open_page(browser, server["url"], locale="zh-CN")
    tab(page, 5, locale="zh-CN")
    page.locator("#lb-table .body-cell").filter(has_text="bert-lr5e-3").first.wait_for(
        timeout=30000)
    assert "95% 置信区间" in page.locator("#lb-verdict").inner_text()
    page.locator("#cmp-go").click()
    page.locator("#cmp-rows-note").get_by_text("行验证数据中").wait_for(timeout=30000)
    page.wait_for_timeout(500)
    # The disagreeing rows are the user's data and run names the user's words; everything
    # else on the Runs step is Chinese.
    regions = test_browser.DATA_REGIONS
    try:
        test_browser.DATA_REGIONS = (*regions, "#cmp-rows .body-cell", "#cmp-label input")
        words = test_browser.english_words(page)
    finally:
        test_browser.DATA_REGIONS = regions
    words = [w for w in words if not any(name in w for name in RATES)]
    assert not words, f"English on the Chinese Runs step: {words}"
    page.close()
