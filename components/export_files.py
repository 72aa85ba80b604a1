"""The files behind step 5's Export panel: what the browser downloads (a folder export zipped
next to itself, linked into the temp folder gradio serves from) and the thread that runs a long
export while its generator handler streams the progress."""
from __future__ import annotations

import os
import queue
import secrets
import shutil
import threading
import zipfile
from pathlib import Path

DENSE = (".safetensors", ".bin", ".onnx", ".gguf", ".png")   # stored in zips, not deflated


def streamed(work, show):
    """Run work(progress) in a thread; yield show(fraction, message) as progress arrives (only
    the latest when several queued up); return work's result or raise its error."""
    events, outcome = queue.Queue(), {}

    def target():
        try:
            outcome["result"] = work(lambda f, msg: events.put((f, msg)))
        except BaseException as e:  # noqa: BLE001 - re-raised in the generator
            outcome["error"] = e
        finally:
            events.put(None)

    threading.Thread(target=target, name="studio-export", daemon=True).start()
    finished = False
    while not finished:
        batch = [events.get()]
        while not events.empty():
            batch.append(events.get_nowait())
        finished = batch[-1] is None  # put last, once the work is over
        updates = [b for b in batch if b is not None]
        if updates:
            yield show(*updates[-1])
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def downloads(folder, result) -> list[str]:
    """What the browser downloads: the .zip; the .gguf and its Modelfile; a folder (merged,
    ONNX) as one zip made next to it."""
    fmt = result.format
    if fmt == "zip":
        return [offer(result.path, folder.id, result.path.name)]
    if fmt == "gguf":
        return [offer(p, folder.id, p.name) for p in result.files
                if p.suffix == ".gguf" or p.name == "Modelfile"]
    return [offer(zip_folder(result), folder.id, f"{folder.id}-{fmt}.zip")]


def zip_folder(result) -> Path:
    """`<exports>/<format>.zip` beside the export's folder, rebuilt when any file of the
    export is newer; written under a temporary name and moved into place whole."""
    target = result.path.with_name(result.path.name + ".zip")
    newest = max((p.stat().st_mtime for p in result.files), default=0)
    if target.is_file() and target.stat().st_mtime >= newest:
        return target
    tmp = target.with_name(f".{target.name}-{secrets.token_hex(4)}")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            for p in result.files:
                kind = zipfile.ZIP_STORED if p.suffix in DENSE else zipfile.ZIP_DEFLATED
                zf.write(p, p.relative_to(result.path).as_posix(), compress_type=kind)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def offer(path: Path, run_id: str, name: str) -> str:
    """A link (or copy) of an export file in the temp folder: gradio serves only files under
    the working or temp folder, and the workspace (every owner's runs) is never opened to its
    file route."""
    from studio.retention import downloads_dir  # removed with the run (retention.delete_run)
    target = downloads_dir(run_id) / "export" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{name}-{secrets.token_hex(4)}")
    try:
        os.link(path, tmp)
    except OSError:
        shutil.copy2(path, tmp)
    os.replace(tmp, target)
    return str(target)


def human_size(n: int) -> str:
    for unit, size in (("GB", 2 ** 30), ("MB", 2 ** 20), ("KB", 2 ** 10)):  # as gr.File says
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
