"""Step 5's Export panel in a real browser: `python app.py` on a free port over a workspace that
already holds two tiny runs (trained here before the app starts; local mode lists them):
export a classifier as a zip and download it; keep the Try chat's settings, export a tiny
Llama run as GGUF and download its Modelfile. A screenshot of the panel goes to
/tmp/export-panel.png (and to $STUDIO_SCREENSHOTS when set)."""
from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

from helpers import make_job, train_in_process
from test_browser import CHROMIUM, SAMPLES, open_page

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (/usr/bin/chromium)")]


@pytest.fixture(scope="module")
def server(tmp_path_factory, data_dir, app_server):
    """The app over a workspace with a tiny-bert classifier and a tiny Llama LoRA chat run."""
    from export.tiny_decoder import build_tiny_decoder
    ws = tmp_path_factory.mktemp("export-browser-ws")
    runs = {}
    code, run_dir, _ = train_in_process(make_job(SAMPLES / "reviews_sentiment.csv",
                                                 "tiny-bert", train__epochs=1), ws)
    assert code == 0
    runs["bert"] = run_dir.name
    base = build_tiny_decoder(tmp_path_factory.mktemp("tiny-llama") / "model")
    code, run_dir, _ = train_in_process(make_job(data_dir / "chat.json", str(base),
                                                 method__method="lora", train__epochs=1), ws)
    assert code == 0
    runs["llama"] = run_dir.name
    app = app_server(ws)
    yield {"url": app.url, "workspace": ws, "runs": runs}


def choose(page, elem_id: str, option: str) -> None:
    """Pick the option of a gr.Dropdown whose label contains `option`."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option").filter(has_text=option).first.click()


def download(page, name: str, target: Path) -> Path:
    """Click the offered file `name` in the Export panel and save what the browser gets."""
    link = page.locator(f'#export-files tr:has(td[aria-label="{name}"]) a').first
    link.wait_for(timeout=30000)
    with page.expect_download(timeout=30000) as info:
        link.click()
    path = target / info.value.suggested_filename
    info.value.save_as(path)
    return path


def wait_for_report(page, done: str, still: float = 240) -> str:
    """The export's status once it says `done`: the export and its parity check take minutes
    on a busy 2-core machine (a fresh transformers process, llama.cpp), so this waits as long
    as the status keeps moving (the export's %, "ready to download", the check's %) and fails
    only when it stood still for `still` s. (A fixed 120 s for the whole walk failed at 191 s
    under a load of 20 while every step worked.)"""
    status = page.locator("#export-status")
    last, moved = None, time.monotonic()
    while True:
        text = status.inner_text()
        if done in text:
            return text
        if text != last:
            last, moved = text, time.monotonic()
        assert time.monotonic() - moved < still, f"the export stood still at: {text}"
        page.wait_for_timeout(500)


def test_export_zip_and_gguf_in_the_browser(server, browser, tmp_path):
    runs = server["runs"]
    page = open_page(browser, server["url"])

    # Keep the chat's settings in step 4 for the GGUF's Modelfile.
    page.get_by_role("tab", name="4 · Try").click()
    choose(page, "try-run", runs["llama"])
    page.locator("#try-system textarea").wait_for(timeout=30000)
    page.locator("#try-system textarea").fill("Answer in one word.")
    page.locator("#try-keep-settings input").check()

    # Step 5: tick the classifier in the history; the panel follows and offers its formats.
    page.get_by_role("tab", name="5 · Runs").click()
    page.locator("#runs-select", has_text=runs["bert"]).wait_for(timeout=30000)
    page.locator("#runs-select label", has_text=runs["bert"]).click()
    fmt = page.locator("#export-format")
    fmt.get_by_text("ONNX", exact=False).wait_for(timeout=30000)
    assert "GGUF" not in fmt.inner_text()
    page.locator("#export-note", has_text="GGUF is not offered for this run").wait_for(
        timeout=10000)
    page.locator("#export-usage", has_text="text-classification").wait_for(timeout=10000)
    fmt.get_by_text("zip", exact=False).first.click()
    page.locator("#export-go").click()
    # An export is followed by its parity check (studio.export.verify): minutes on a busy CPU.
    done = wait_for_report(page, "Exported zip")
    assert "Checked with transformers" in done and "(100%)" in done, done
    got = download(page, f"{runs['bert']}.zip", tmp_path)
    with zipfile.ZipFile(got) as zf:
        assert {"model.safetensors", "config.json", "README.md"} <= set(zf.namelist())
    panel = page.locator("#export-panel")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path="/tmp/export-panel.png")
    if os.environ.get("STUDIO_SCREENSHOTS"):
        panel.screenshot(path=Path(os.environ["STUDIO_SCREENSHOTS"]) / "export-panel.png")

    # The tiny Llama LoRA run: GGUF q8_0 with the kept chat settings in its Modelfile.
    choose(page, "export-run", runs["llama"])
    fmt.get_by_text("GGUF", exact=False).wait_for(timeout=30000)
    fmt.get_by_text("GGUF", exact=False).click()
    page.locator("#export-quant").get_by_text("q8_0", exact=False).click()
    page.locator("#export-note", has_text="Answer in one word.").wait_for(timeout=10000)
    page.locator("#export-go").click()
    done = wait_for_report(page, "Exported GGUF q8_0")
    assert "Checked with llama.cpp" in done or "not installed" in done, done
    modelfile = download(page, "Modelfile", tmp_path).read_text()
    assert 'SYSTEM """Answer in one word."""' in modelfile
    assert page.locator('#export-files td[aria-label="model-q8_0.gguf"]').count() == 1
    page.locator("#export-usage", has_text="ollama create").wait_for(timeout=10000)
    page.screenshot(path=tmp_path / "export-gguf.png", full_page=True)
    page.close()
