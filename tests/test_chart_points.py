"""The score chart shows an evaluation that has no second point yet (a line needs two): each
evaluation is a ring in its series' colour (assets/studio.css), in Chromium."""
from __future__ import annotations

import threading

import pytest

from components import charts
from components.ui import ASSETS
from hosted_app import free_port


@pytest.fixture(scope="module")
def chart_page():
    """A page with the studio's score chart (charts.line_plot + the studio's CSS) holding one
    evaluation of a 20-step run, as the Train step draws it."""
    import gradio as gr
    table = charts.curves([{"step": 10, "value": 0.8, "series": "accuracy"},
                           {"step": 10, "value": 0.7, "series": "macro_f1"}], "en", span=20)
    with gr.Blocks() as demo:
        charts.line_plot("Score", "plot-metric", value=table)
    port = free_port()
    threading.Thread(target=demo.launch, daemon=True, kwargs={
        "server_port": port, "prevent_thread_lock": True,
        "css_paths": [str(ASSETS / "studio.css")]}).start()
    import time
    import urllib.request
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    demo.close()


RINGS = """() => Array.from(document.querySelectorAll('#plot-metric .hover_marks path'))
  .map(p => { const r = p.getBoundingClientRect(), s = getComputedStyle(p);
              return [Math.round(r.width), s.opacity, p.getAttribute('stroke')]; })"""


def test_one_evaluation_is_drawn_as_a_ring_per_series(chart_page, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.goto(chart_page)
    page.locator("#plot-metric .vega-embed").wait_for(timeout=30000)
    page.wait_for_timeout(500)
    rings = page.evaluate(RINGS)
    # one visible ring per series (the empty point that sets the axis' length draws none)
    assert len(rings) == 2, rings
    assert all(width >= 6 and opacity == "1" for width, opacity, _ in rings), rings
    assert len({stroke for *_, stroke in rings}) == 2  # each in its series' colour
    # not clipped at the edge where the first point sits: the group has no clip path
    assert page.evaluate("""() => getComputedStyle(document.querySelector(
        '#plot-metric .hover_marks')).clipPath""") == "none"
    page.close()
