"""Raw frames, read once: the read stage of the pipeline, with a small cache in front.

The Data step inspects the same file again each time the user changes a role, the task or a
choice; only the later stages depend on those, so the parsed frame is kept and reused. The key
is the file's identity (resolved path, size, modification time) plus everything that changes
how it is read, so an edited or replaced file is read afresh. The cache holds a few frames and
a bounded number of source bytes, least recently used first out; it is shared by every
session, which is safe because the key says exactly which bytes a frame came from.
"""
from __future__ import annotations

import copy
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd

from studio.data.readers import check_size, is_hf, read_any

log = logging.getLogger(__name__)


class FrameCache:
    def __init__(self, max_entries: int = 4, max_bytes: int = 512 << 20):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[tuple, tuple[pd.DataFrame, dict, int]] = OrderedDict()
        self._lock = threading.Lock()       # Gradio runs handlers in threads

    def get(self, key: tuple):
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
        return None if hit is None else _copy(hit[0], hit[1])

    def put(self, key: tuple, frame: pd.DataFrame, info: dict, size: int) -> None:
        if size > self.max_bytes or self.max_entries <= 0:
            return
        with self._lock:
            self._items[key] = (frame, info, size)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries or \
                    sum(s for _, _, s in self._items.values()) > self.max_bytes:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


def _copy(frame: pd.DataFrame, info: dict) -> tuple[pd.DataFrame, dict]:
    """A caller may add or replace columns; a shallow copy keeps that out of the cache (with
    copy-on-write, pandas' default from 3.0, even cell edits stay out)."""
    return frame.copy(deep=False), copy.deepcopy(info)


FRAMES = FrameCache()


def file_key(path, encoding: str, sheet: str, limit: int, header) -> tuple | None:
    """What identifies one parse of a file; None when it cannot be cached (a Hub dataset, or
    a path that does not exist, which the reader then reports)."""
    if is_hf(path):
        return None
    try:
        p = Path(path).resolve()
        st = os.stat(p)
    except OSError:
        return None
    if not p.is_file():
        return None
    check_size(p)                 # the upload limit holds for cached frames too
    return (str(p), st.st_size, st.st_mtime_ns, encoding, sheet, limit, header)


def read_table(path, *, encoding: str = "", sheet: str = "", max_rows: int = 0, nrows=None,
               header: bool | None = None, cache: FrameCache | None = FRAMES
               ) -> tuple[pd.DataFrame, dict]:
    """Read a file into a raw frame. `nrows` (preview) and `max_rows` stop reading early."""
    limits = [n for n in (max_rows, nrows) if n]
    limit = min(limits) if limits else 0
    key = file_key(path, encoding, sheet, limit, header) if cache is not None else None
    if key is not None:
        hit = cache.get(key)
        if hit is not None:
            log.debug("read %s from the frame cache", path)
            return hit
    frame, info = read_any(path, encoding=encoding, sheet=sheet, limit=limit, header=header)
    if key is not None:
        cache.put(key, frame, info, key[1])
        return _copy(frame, info)
    return frame, info
