"""Blind side-by-side rating in a real browser: `python app.py` over a workspace holding two
finished tiny-gpt chat runs ("alpha", "beta"), trained here before the app starts.

On Try the rating panel rates ten typed prompts (buttons, and keys 2 and n once); each vote
names the models afterwards, which is how the test tallies who won. On Runs the ratings table
under the leaderboard shows the pair with the win rate and the 95% interval the engine computes
from that tally, and the sign-test sentence; the downloaded preference pairs load with
`datasets` and hold one row per decisive vote. Screenshots go to $STUDIO_SCREENSHOTS (how
docs/screenshots is refreshed), else tmp_path.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import make_job, train_in_process
from test_browser import CHROMIUM, open_page, tab

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (/usr/bin/chromium)")]
PROMPTS = [f"Say word number {i}" for i in range(10)]
# Which side to click per prompt: mostly the left one, so the pair's tally is uneven whatever
# the blind order; one tie and one "both bad" to check that they stay out of the rate.
PLAN = ["left", "right", "left", "left", "tie", "left", "right", "left", "both_bad", "left"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, data_dir, app_server):
    ws = tmp_path_factory.mktemp("rating-browser-ws")
    for name, lr in (("alpha", 5e-4), ("beta", 1e-3)):
        cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", name=name,
                       train__max_steps=2, train__batch_size=8, train__learning_rate=lr)
        code, _, _ = train_in_process(cfg, ws)
        assert code == 0
    app = app_server(ws)
    yield {"url": app.url, "workspace": ws}




def choose(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option").filter(has_text=option).first.click()


def status_says(page, text: str) -> None:
    page.locator("#rate-status").get_by_text(text).wait_for(timeout=60000)


def test_rate_ten_prompts_and_see_the_pair_on_the_leaderboard(server, browser, shots,
                                                              tmp_path):
    from datasets import load_dataset

    from studio.ratings.stats import pair_stats
    page = open_page(browser, server["url"])
    tab(page, 4)
    panel = page.locator("#rating")
    panel.wait_for(state="visible", timeout=60000)  # a chat run is open: the panel shows
    choose(page, "rate-run-a", "alpha ·")
    choose(page, "rate-run-b", "beta ·")
    page.locator("#rate-source").get_by_label("Typed").check()
    page.locator("#rate-typed textarea").fill("\n".join(PROMPTS))
    page.locator("#rate-start").click()

    wins = {"alpha": 0, "beta": 0}
    for i, choice in enumerate(PLAN):
        status_says(page, f"Prompt {i + 1} of 10")
        assert page.locator("#rate-prompt textarea").input_value() == PROMPTS[i]
        assert "alpha" not in page.locator("#rating").inner_text().split("Answer A")[1]
        if i == 1:  # the shortcuts: 2 votes for B
            page.locator("#rate-status").click()
            page.keyboard.press("2")
        else:
            page.locator("#rate-" + choice.replace("_", "-")).click()
        reveal = page.locator("#rate-reveal")
        reveal.get_by_text("A was ").wait_for(timeout=30000)
        left, right = re.search(r"A was (\w+), B was (\w+)", reveal.inner_text()).groups()
        if choice in ("left", "right"):
            wins[left if choice == "left" else right] += 1
        if i == 0:
            page.locator("#rating").screenshot(path=shots / "rating.png")
        if i == 2:  # n moves on
            page.locator("#rate-status").click()
            page.keyboard.press("n")
        else:
            page.locator("#rate-next").click()
    status_says(page, "All 10 prompts are rated")

    winner, loser = sorted(wins, key=lambda k: -wins[k])
    expected = pair_stats(winner, loser, wins[winner], wins[loser], 1, 1)
    tab(page, 5)
    table = page.locator("#lb-rt-table")
    table.locator(".body-cell").filter(has_text=f"{winner} vs {loser}").first.wait_for(
        timeout=30000)
    text = table.inner_text()
    rate = expected.win_rate
    assert f"{100 * rate.low:.1f} – {100 * rate.high:.1f}" in text
    assert f"\n{round(100 * rate.value, 1):g}\n" in text  # a number: the table shows 75
    verdict = page.locator("#lb-rt-verdicts").inner_text()
    assert f"sign test p = {expected.p_value:.3g}, {wins[winner] + wins[loser]} decisive of " \
           f"10 ratings" in verdict
    page.locator("#lb-ratings").screenshot(path=shots / "rating-leaderboard.png")

    page.locator("#lb-rt-download").click()
    link = page.locator('#lb-rt-files tr:has(td[aria-label="preference-pairs.jsonl"]) a').first
    link.wait_for(timeout=30000)
    with page.expect_download(timeout=30000) as info:
        link.click()
    path = tmp_path / "pairs.jsonl"
    info.value.save_as(path)
    rows = load_dataset("json", data_files=str(path))["train"]
    assert rows.num_rows == wins["alpha"] + wins["beta"] == 8
    assert set(rows.column_names) == {"prompt", "chosen", "rejected"}
    assert set(rows["prompt"]) <= set(PROMPTS)
    page.close()
