"""Which uploaded files a client may use: only those it uploaded itself.

A web request names a file by its server path, and a crafted request can name any path
(`/etc/passwd`, another user's upload). On a hosted studio the web layer records every file the
upload endpoint stored and for which client (`UploadBook.record`), and the data code only
receives a path that passes `confine`: a regular file under the upload folder, recorded for this
very client, and within the size limit. Local mode trusts its one user but keeps the size limit.

An upload is stored once (`keep`): moved from gradio's upload folder into the workspace
(`uploads/<owner folder>/<digest>/<name>`), where it counts in the owner's disk share and is
cleaned with the run retention (studio.retention); the book remembers where it went, so the
same client naming gradio's path again gets the kept file.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections import OrderedDict
from pathlib import Path

from .errors import DataError


class UploadBook:
    """path -> every client that uploaded it. Gradio names an upload by its content's hash,
    so two browsers sending the same file get the same path, and both may use it. Bounded:
    the oldest paths are forgotten first."""

    def __init__(self, capacity: int = 50_000):
        self.capacity = capacity
        self._clients: OrderedDict[str, set[str]] = OrderedDict()
        self._kept: dict[tuple[str, str], str] = {}  # (gradio's path, client) -> kept file
        self._lock = threading.Lock()

    def record(self, path: str, client: str) -> None:
        key = os.path.realpath(path)
        with self._lock:
            self._clients.setdefault(key, set()).add(client)
            self._clients.move_to_end(key)
            while len(self._clients) > self.capacity:
                self._clients.popitem(last=False)

    def uploaded_by(self, path: str, client: str) -> bool:
        with self._lock:
            return client in self._clients.get(os.path.realpath(path), ())

    def moved(self, path: str, client: str, kept: str) -> None:
        """Gradio's file at `path` now lives at `kept` for this client (see `keep`)."""
        with self._lock:
            self._kept[(os.path.realpath(path), client)] = kept
            while len(self._kept) > self.capacity:
                self._kept.pop(next(iter(self._kept)))

    def shared(self, path: str, client: str) -> bool:
        """Whether another client uploaded the same file (gradio names files by content)."""
        with self._lock:
            return bool(self._clients.get(os.path.realpath(path), set()) - {client})

    def kept(self, path: str, client: str) -> str:
        """Where this client's upload at gradio's `path` was kept, "" when it was not."""
        with self._lock:
            return self._kept.get((os.path.realpath(path), client), "")


def refuse(name: str) -> DataError:
    # One answer for "does not exist", "not yours" and "not an upload": nothing is revealed.
    return DataError(code="upload_not_yours", file=name)


def confine(path: str, *, client: str, book: UploadBook | None, roots: list[str],
            hosted: bool, max_mb: int = 0, extra_roots: list[str] = ()) -> str:
    """The real path of a file this client may read, or a DataError. `roots` are upload
    folders; `extra_roots` (the shipped samples) are readable by everyone."""
    name = Path(str(path)).name
    real = os.path.realpath(str(path))
    inside = lambda folders: any(real.startswith(os.path.realpath(r) + os.sep)  # noqa: E731
                                 for r in folders if r)
    shared = inside(extra_roots)
    if hosted and not shared:
        if not inside(roots) or book is None or not book.uploaded_by(real, client):
            raise refuse(name)
    if book is not None and not os.path.isfile(real) and book.kept(real, client):
        real = book.kept(real, client)  # stored once: moved into the workspace earlier
    if not os.path.isfile(real):
        raise refuse(name) if hosted else DataError(code="file_missing", file=name)
    size_mb = os.path.getsize(real) / 2**20
    if max_mb and size_mb > max_mb:
        raise DataError(code="upload_too_large", file=name, size=round(size_mb), limit=max_mb)
    return real


UPLOADS = "uploads"  # the workspace folder uploads are kept in


def owner_folder(owner: str | None) -> str:
    """The folder of an owner's uploads: "" in local mode (uploads/<digest>/), else a hash of
    the owner (an owner string is never used as a path)."""
    return "o-" + hashlib.sha256(owner.encode()).hexdigest()[:16] if owner else ""


def uploads_dir(workspace, owner: str | None = None) -> Path:
    return Path(workspace) / UPLOADS / owner_folder(owner)


def keep(path: str, workspace, owner: str | None = None, *, client: str = "",
         book: UploadBook | None = None) -> str:
    """Store an upload once: move gradio's file into the owner's upload folder in the
    workspace (runs keep working after gradio's temp folder is cleaned) and drop gradio's copy;
    the same content uploaded again by this owner reuses the kept file. Returns the kept path."""
    src = Path(path)
    digest = _digest(src)
    target = uploads_dir(workspace, owner) / digest / src.name  # same name, so messages name it
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{src.name}.tmp")
        shutil.copyfile(src, tmp)  # a copy, then a rename: never half a file under the name
        os.replace(tmp, target)
    else:
        os.utime(target)  # used again: the retention counts from now
    # Another browser that sent the same bytes still reads gradio's file: it stays for it.
    if book is None or not book.shared(str(src), client):
        try:
            src.unlink()
            src.parent.rmdir()  # gradio's per-file folder, when empty
        except OSError:
            pass
    if book is not None:
        book.moved(str(src), client, str(target))
    return str(target)


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:10]
