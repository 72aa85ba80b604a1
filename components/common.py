"""Small things every step shares: the per-page context and a few formatting helpers."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import gradio as gr

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
ROLES = ("text", "text_pair", "label", "prompt", "response", "messages")
ROLE_FIELDS = {"text": "text_column", "text_pair": "text_pair_column", "label": "label_column",
               "prompt": "prompt_column", "response": "response_column",
               "messages": "messages_column"}


@dataclass
class Ctx:
    """What build_ui hands each step: shared services and the components steps wire across.

    Services (registry, queue, cache) are shared by every browser; everything per-browser lives
    in the gr.State / gr.BrowserState components collected here, never in Python globals.
    """
    registry: object
    queue: object
    cache: object
    lang: object = None            # gr.State: "en" | "zh-CN"
    data: object = None            # gr.State: dict from data_step (path, roles, task, ...)
    model: object = None           # gr.State: dict from model_step (name, family, ...)
    run_id: object = None          # gr.BrowserState: the run this browser follows
    tabs: object = None            # gr.Tabs
    tab: dict = field(default_factory=dict)    # step name -> gr.Tab
    parts: dict = field(default_factory=dict)  # components one step exposes to another
    later: list = field(default_factory=list)  # wiring that needs a later step's components


def sample_files() -> dict[str, Path]:
    """Sample datasets shipped in assets/, by file name."""
    folder = ASSETS / "samples"
    return {p.name: p for p in sorted(folder.glob("*")) if p.is_file()}


def keep_upload(path: str | None, workspace: Path) -> str:
    """Copy an uploaded file into the workspace so runs keep working after Gradio's temp
    folder is cleaned; samples and files already in the workspace are used where they are."""
    if not path:
        return ""
    src = Path(path)
    if src.is_relative_to(ASSETS) or src.is_relative_to(workspace):
        return str(src)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()[:10]
    target = workspace / "uploads" / digest / src.name  # same name, so messages name it
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return str(target)


def display_name(path: str) -> str:
    return Path(path).name


def fmt_count(n: int | float | None) -> str:
    if n is None:
        return "-"
    n = float(n)
    for unit, size in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return f"{int(n)}"


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "-"
    s = int(round(s))
    if s >= 3600:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def fmt_metric(v) -> str:
    if isinstance(v, float):
        return f"{v:.4f}"
    return "-" if v is None else str(v)


def box(text: str, kind: str = "error") -> str:
    """A message as Markdown; CSS gives .studio-error / .studio-ok boxes their colour."""
    if not text:
        return ""
    icon = {"error": "✖", "warning": "⚠", "ok": "✔", "info": "ℹ"}[kind]
    return f"{icon} {text}"


def tab_update(enabled: bool):
    return gr.Tab(interactive=enabled)
