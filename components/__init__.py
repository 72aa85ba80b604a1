"""The studio's web UI: one module per step over the `studio` engine (which never imports
Gradio). `build_ui(registry, queue, cache)` returns the gr.Blocks; `launch_options()` the
translations, theme and CSS to pass to launch()."""
from .ui import build_ui, launch_options

__all__ = ["build_ui", "launch_options"]
