"""Taking a trained model out of the studio: a zip, a merged transformers folder, GGUF for
llama.cpp / Ollama, ONNX for classifiers, or a push to the Hugging Face Hub.

    result = export(run_folder, "gguf", progress=lambda f, msg: ..., quant="q8_0")
    result.path, result.files, result.size_bytes, result.seconds, result.snippets
    result.waited()   # the whole wait so far: call it once the download is offered and checked

Exports live in the run folder (`<run>/exports/<format>/`), are built in a temporary folder
and moved into place whole, and are reused while the run's model is unchanged. Every error a
user can cause is an `ExportError` with one sentence.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..runfolder import RunFolder
from .common import (ExportError, Progress, as_folder, check_free_space,  # noqa: F401
                     files_of, model_info, model_signature, report, size_of)

from .availability import FORMATS, available  # noqa: F401 - one place decides the formats

STAMP = ".export.json"


@dataclass
class ExportResult:
    format: str
    path: Path                     # the export's folder (the .zip file for "zip")
    files: list[Path]
    size_bytes: int
    seconds: float
    reused: bool = False
    details: dict = field(default_factory=dict)
    snippets: dict[str, str] = field(default_factory=dict)
    # The one clock of an export as its user waits for it: started when export() was called,
    # before the checks, a zip's merge and the conversion; read by waited() after whatever the
    # caller does next (the page packs the download and runs the parity check). The page said
    # "0.6 s" for a zip the user waited 9.5 s for.
    started: float = field(default_factory=time.monotonic)

    def waited(self) -> float:
        """Seconds since the export was asked for: the time to show once it is all done."""
        return time.monotonic() - self.started

    def to_dict(self) -> dict:
        return {"format": self.format, "path": str(self.path), "files": [str(f) for f in
                                                                          self.files],
                "size_bytes": self.size_bytes, "seconds": round(self.seconds, 2),
                "reused": self.reused, "details": self.details, "snippets": self.snippets}


def export_folder(folder: RunFolder, fmt: str, quant: str = "f16") -> Path:
    return folder.exports_dir / (f"gguf-{quant}" if fmt == "gguf" else fmt)


def export(folder: RunFolder | str | Path, fmt: str, progress: Progress | None = None,
           settings: dict | None = None, quant: str = "f16", force: bool = False) -> ExportResult:
    """Export a finished run's model in `fmt` (one of FORMATS); `progress(fraction, message)`
    hears how far it got; `settings` (temperature, top_p, max_new_tokens, system_prompt: the
    chat settings kept in Try) go into the Ollama Modelfile and generation_config.json, and are
    remembered in the run folder for later exports that give none (the CLI). A second call
    reuses the first export unless the model or those settings changed (or `force`)."""
    started = time.monotonic()  # the user's wait starts here, before any check
    folder = as_folder(folder)
    if fmt not in FORMATS:
        raise ExportError(code="unknown_format", format=fmt, formats=list(FORMATS))
    info = model_info(folder)
    if fmt == "gguf":
        from .gguf_writer import check_supported
        check_supported(folder, info, quant)
    else:
        from .availability import refuse_unless_available
        refuse_unless_available(folder, fmt)
    from . import chat_settings
    settings = chat_settings.resolve(folder, settings)  # given now, else kept earlier
    final = export_folder(folder, fmt, quant)
    options = {"quant": quant} if fmt == "gguf" else \
        {"settings": settings} if fmt in ("merged", "zip") and settings else {}
    stamp = {"model": model_signature(folder), "options": options,
             "settings": settings or {}}
    previous = _read_stamp(final)
    if not force and previous and previous.get("model") == stamp["model"] \
            and previous.get("options") == options:
        if previous.get("settings") != stamp["settings"] and fmt == "gguf":
            from .gguf_writer import refresh_modelfile
            refresh_modelfile(folder, final, info, quant, settings)
            _write_stamp(final, {**previous, "settings": stamp["settings"]})
        report(progress, 1.0, "Reused the earlier export: the model has not changed")
        return _result(folder, fmt, final, info, started, True,
                       previous.get("details", {}), quant, settings)
    from .leftovers import clean_exports
    clean_exports(folder.exports_dir)  # what a killed export left; its space is needed now
    check_free_space(folder.exports_dir, _estimate_bytes(folder, info, fmt))
    tmp = folder.exports_dir / f".tmp-{final.name}-{os.getpid()}-{secrets.token_hex(3)}"
    tmp.mkdir(parents=True)
    try:
        details = _build(folder, fmt, tmp, info, progress, settings, quant, force)
        _write_stamp(tmp, {**stamp, "details": details})
        _swap(tmp, final)
    except OSError as e:
        raise ExportError(code="export_io", format=fmt, detail=str(e.strerror or e)) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(progress, 1.0, f"Exported to {final}")
    return _result(folder, fmt, final, info, started, False, details, quant, settings)


def _build(folder, fmt, tmp, info, progress, settings, quant, force) -> dict:
    if fmt == "merged":
        from .merged import write_merged
        return write_merged(folder, tmp, info, progress, settings)
    if fmt == "zip":
        from .bundle import write_zip
        merged = export(folder, "merged", _scaled(progress, 0.0, 0.7), settings=settings,
                        force=force)
        write_zip(folder, merged.path, tmp, _scaled(progress, 0.7, 1.0))
        return {**merged.details, "merged_reused": merged.reused}
    if fmt == "gguf":
        from .gguf_writer import write_gguf
        return write_gguf(folder, tmp, info, quant, settings, progress)
    from .onnx_export import write_onnx
    return write_onnx(folder, tmp, info, progress)


def _result(folder, fmt, final, info, started, reused, details, quant,
            settings=None) -> ExportResult:
    from . import snippets
    path = next(final.glob("*.zip"), final) if fmt == "zip" else final
    files = files_of(path)
    if fmt == "gguf":
        from .gguf_writer import _ollama_name, gguf_name
        code = snippets.for_format("gguf", str(final), info, gguf_name=gguf_name(quant),
                                   model_name=_ollama_name(folder))
    elif fmt == "zip":
        code = snippets.for_format("zip", "path/to/unzipped/folder", info, settings=settings)
    else:
        code = snippets.for_format(fmt, str(final), info, settings=settings)
    return ExportResult(fmt, path, files, sum(p.stat().st_size for p in files),
                        time.monotonic() - started, reused, details, code, started)


def usage(folder: RunFolder | str | Path, fmt: str, **kw) -> dict[str, str]:
    """The "use this model" snippets for a format without exporting (`serve`: pass
    base_url= and api_key=)."""
    from . import snippets
    folder = as_folder(folder)
    info = model_info(folder)
    if fmt == "serve":
        return snippets.serve_code(kw.get("base_url", "http://127.0.0.1:8000/v1"), folder.id,
                                   info, kw.get("api_key", ""))
    quant = kw.get("quant", "f16")
    if fmt == "gguf":  # the file's name is known before it is written
        from .gguf_writer import _ollama_name, gguf_name
        return snippets.for_format("gguf", str(export_folder(folder, fmt, quant)), info,
                                   gguf_name=gguf_name(quant), model_name=_ollama_name(folder))
    from .chat_settings import saved
    return snippets.for_format(fmt, str(export_folder(folder, fmt, quant)), info,
                               settings=saved(folder))


def _scaled(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    if progress is None:
        return None
    return lambda f, msg: progress(lo + (hi - lo) * f, msg)


def _estimate_bytes(folder: RunFolder, info: dict, fmt: str) -> int:
    weights = size_of(folder.model_dir)
    base = Path(str(info.get("base_location", "")))
    if info.get("method") == "lora" and base.is_dir():
        weights += size_of(base)
    return int(weights * (2.2 if fmt == "zip" else 1.1))


def _read_stamp(final: Path) -> dict | None:
    try:
        return json.loads((final / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_stamp(target: Path, stamp: dict) -> None:
    (target / STAMP).write_text(json.dumps(stamp, indent=2, default=str), encoding="utf-8")


def _swap(tmp: Path, final: Path) -> None:
    """Put the finished folder in place; a reader sees the old export or the new one."""
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{secrets.token_hex(3)}")
        final.rename(old)
    tmp.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
