"""Which uploaded files a client may use: only those it uploaded itself.

A web request names a file by its server path, and a crafted request can name any path
(`/etc/passwd`, another user's upload). On a hosted studio the web layer records every file the
upload endpoint stored and for which client (`UploadBook.record`), and the data code only
receives a path that passes `confine`: a regular file under the upload folder, recorded for this
very client, and within the size limit. Local mode trusts its one user but keeps the size limit.
"""
from __future__ import annotations

import os
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


def refuse(name: str) -> DataError:
    # One answer for "does not exist", "not yours" and "not an upload": nothing is revealed.
    return DataError("upload_not_yours", f"The file '{name}' was not uploaded in this browser "
                     f"session; upload it again with the Data step's file box.", file=name)


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
    if not os.path.isfile(real):
        raise refuse(name) if hosted else DataError(
            "file_missing", f"The file '{name}' no longer exists; upload it again.", file=name)
    size_mb = os.path.getsize(real) / 2**20
    if max_mb and size_mb > max_mb:
        raise DataError("upload_too_large", f"The file '{name}' is {size_mb:,.0f} MB; this studio "
                        f"accepts files up to {max_mb} MB. Upload a smaller sample or a "
                        f"compressed format such as Parquet.", file=name,
                        size=round(size_mb), limit=max_mb)
    return real
