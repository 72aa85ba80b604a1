"""Small things every step shares: the per-page context, the event wiring and a few
formatting helpers.

Handlers are plain functions that return a dict keyed by output *names*, e.g.
`{"message": "...", "tail": {...}}`; a name left out leaves its component unchanged. Tests call
them directly and look results up by name; `wire` connects one to an event with the names
mapped to components.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import gradio as gr

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"


@dataclass
class Ctx:
    """What build_ui hands each step: shared services and the components steps wire across.

    Services (registry, queue, cache) are shared by every browser; everything per-browser lives
    in the gr.State / gr.BrowserState components collected here, never in Python globals.
    """
    registry: object
    queue: object
    cache: object
    hosted: bool = False           # hosted mode: runs per owner, confined inputs, limits
    policy: object = None          # studio.hosting.Policy (the limits shown and enforced)
    uploads: object = None         # studio.uploads.UploadBook: which client uploaded which file
    lang: object = None            # gr.State: "en" | "zh-CN"
    data: object = None            # gr.State: dict from data_step (path, roles, task, ...)
    model: object = None           # gr.State: dict from model_step (name, family, ...)
    run_id: object = None          # gr.BrowserState: the run this browser follows
    tabs: object = None            # gr.Tabs
    tab: dict = field(default_factory=dict)    # step name -> gr.Tab
    # Components one step builds and another wires (each set by its owner, None before):
    mode: object = None            # gr.Markdown: the header's mode line (ui)
    preset_table: tuple | None = None  # (gr.Dataframe, render(lang)) of the presets (model)
    form: dict | None = None       # the settings form: dotted path -> widget (train)
    run_settings: object = None    # gr.Markdown: the followed run's settings (train)
    train_timer: object = None     # gr.Timer that polls the followed run (train)
    plots: dict | None = None      # "plot_loss", ... -> gr.LinePlot (train)
    train_check: tuple | None = None   # (fn, inputs, outputs): re-check the form (train)
    advice_message: object = None  # gr.Markdown: where "train again" says what it set (train)
    try_source: object = None      # gr.Dropdown: the run Try shows (try)
    export_settings: object = None  # gr.State: chat settings kept for GGUF exports (try)
    # Wiring that needs a later step's components, run once every step is built.
    later: list[Callable[[], None]] = field(default_factory=list)


def owner(ctx: Ctx, request) -> str | None:
    """Who a request acts as, for every engine call that reads or changes runs: None in local
    mode (every run), else the login or this browser's anonymous key (guard.owner_of)."""
    from .guard import owner_of
    return owner_of(request, ctx.hosted)


def upload_roots() -> list[str]:
    """Where gradio stores uploads: $GRADIO_TEMP_DIR, else <tmp>/gradio (demo.GRADIO_CACHE)."""
    from gradio.utils import get_upload_folder
    return [get_upload_folder()]


def confined_upload(ctx: Ctx, path: str | None, request, keep: bool = False) -> str:
    """The real path of an uploaded file this browser may read, "" for no file, or a
    DataError (codes upload_not_yours, upload_too_large, file_missing) with one sentence.

    Hosted: only a file this very client sent to the upload endpoint (recorded by the Guard
    middleware) or a shipped sample; a forged path (/etc/passwd, another browser's upload) is
    refused before anything reads or copies it. Local: the size limit only."""
    from studio.uploads import confine
    from .guard import request_key
    if not path:
        return ""
    client = request_key(request)
    policy = ctx.policy
    real = confine(str(path), client=client, book=ctx.uploads, roots=upload_roots(),
                   hosted=ctx.hosted, max_mb=getattr(policy, "max_upload_mb", 0) or 0,
                   extra_roots=[str(ASSETS / "samples")])
    if keep and any(Path(real).is_relative_to(r) for r in upload_roots()):
        real = keep_in_workspace(ctx, real, client, owner(ctx, request))
    return real


def keep_in_workspace(ctx: Ctx, real: str, client: str, owner_value: str | None) -> str:
    """Store a fresh upload once, in the owner's upload folder of the workspace, after the
    engine checked that it fits the owner's disk share (a DataError-like RunError if not)."""
    from studio import retention, uploads
    retention.check_disk_share(ctx.registry, owner_value, ctx.policy,
                               adding_mb=Path(real).stat().st_size / 2**20)
    return uploads.keep(real, ctx.registry.workspace, owner_value, client=client,
                        book=ctx.uploads)


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
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
        except OSError as e:  # a read-only or full workspace: one sentence, no server path
            from studio.shown import upload_not_stored
            raise upload_not_stored(workspace, e) from None
    return str(target)


def Slider(minimum: float, maximum: float, **kwargs) -> gr.Slider:  # noqa: N802 - a widget
    """gr.Slider, except that a number typed into its box beyond its range is taken at the
    nearest bound - what the box itself shows once the edit ends - instead of gradio's
    English pop-up ("Value 5 is greater than maximum value 0.5"), which names no field.
    An instance attribute, not a subclass (gradio writes a .pyi file next to the module of
    any component subclass), so it holds for a slider no event updates: gradio rebuilds an
    updated component from its class. The settings form has no sliders for that reason."""
    slider = gr.Slider(minimum, maximum, **kwargs)
    preprocess = slider.preprocess

    def clamped(payload):
        if isinstance(payload, (int, float)) and not isinstance(payload, bool):
            payload = min(max(payload, minimum), maximum)
        return preprocess(payload)
    slider.preprocess = clamped
    return slider


def box(text: str, kind: str = "error") -> str:
    """A message as Markdown, marked by its leading icon (✖ error, ⚠ warning, ✔ ok, ℹ info)."""
    if not text:
        return ""
    icon = {"error": "✖", "warning": "⚠", "ok": "✔", "info": "ℹ"}[kind]
    return f"{icon} {text}"


def named(result: dict, outputs: dict) -> dict:
    """{name: value} -> {component: value}; gr.skip() when nothing is to change."""
    unknown = set(result) - set(outputs)
    if unknown:
        raise KeyError(f"handler returned outputs it is not wired to: {sorted(unknown)}")
    return {outputs[name]: value for name, value in result.items()} or gr.skip()


def wire(trigger, fn, inputs, outputs: dict, **kwargs):
    """Connect `fn` (returns or yields {name: value}) to an event listener such as
    `button.click`, with `outputs` mapping each name to its component. The wrapper keeps fn's
    signature, so a `gr.Request` parameter is still filled in by Gradio."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def run(*args):
            for result in fn(*args):
                yield named(result, outputs)
    else:
        @functools.wraps(fn)
        def run(*args):
            return named(fn(*args), outputs)
    return trigger(run, inputs, list(outputs.values()), **kwargs)
