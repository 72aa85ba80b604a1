"""The studio's web UI: one module per step over the `studio` engine (which never imports
Gradio). `build_ui(registry, queue, cache, hosted=, policy=, uploads=)` returns the gr.Blocks;
`launch_options()` the translations, theme and CSS to pass to launch(); `guard.Guard` is the
middleware app.py installs (cookie, upload book, login address)."""
from .ui import build_ui, launch_options

__all__ = ["build_ui", "launch_options"]
