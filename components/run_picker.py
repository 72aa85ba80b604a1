"""The run pickers that Try, Export and Compare share: which runs each may pick, as dropdown
choices. One module, so the three steps never import each other for a run list."""
from __future__ import annotations

import gradio as gr

from .i18n import tr


def run_choices(registry, owner=None, lang: str = "en") -> list[tuple[str, str]]:
    """Finished runs that saved a model, newest first (hosted: `owner`'s only)."""
    return [(f"{r.id} · {r.model} · {tr(lang, 'task_' + r.task) if r.task else '-'}", r.id)
            for r in registry.list(200, owner=owner)
            if r.status in ("done", "stopped") and registry.folder(r).has_model()]


def source_update(registry, run_id, current=None, owner=None, lang: str = "en"):
    """Try's run list, selecting `current` if still there, else this browser's run, else the
    newest one: never a value the list does not hold (a running run is followed on the Train
    step, not here)."""
    choices = run_choices(registry, owner, lang)
    ids = [v for _, v in choices]
    value = next((r for r in (current, run_id) if r in ids), ids[0] if ids else None)
    return gr.update(choices=choices, value=value)


def finished(registry, owner=None) -> list[tuple[str, str]]:
    """Finished runs (newest first) as Compare's dropdown choices."""
    return [(f"{r.label} · {r.id}", r.id)
            for r in registry.list(500, owner=owner) if r.status == "done"]
