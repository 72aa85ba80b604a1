"""Text encodings: detect a file's encoding (BOM, UTF-16, UTF-8, GB18030, cp1252), check a
chosen one, and decode the start of the file for sniffing."""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from studio.errors import DataError

HEAD_BYTES = 256 * 1024          # enough to sniff encoding, delimiter and header

BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16")]
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def canonical_encoding(name: str) -> str:
    """Python's codec name in the spelling users know ('utf_8' -> 'utf-8')."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise DataError(code="unknown_encoding", encoding=name) from None
    return {"gbk": "gbk", "gb2312": "gb2312", "latin-1": "latin-1",
            "iso8859-1": "latin-1"}.get(codec, codec.replace("_", "-"))


def detect_encoding(path: Path, head: bytes, scan: int = 0) -> str:
    """BOM, then UTF-16 without BOM, then UTF-8, then GB18030 (Chinese Excel), then cp1252."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    if b"\x00" in head:
        raise DataError(code="binary_file", file=path.name, kind="binary")
    bad = first_undecodable(path, "utf-8", max_bytes=scan)
    if bad is None:
        return "utf-8"
    # Judge on the bytes around the first non-UTF-8 byte: that is where the evidence is.
    with open(path, "rb") as f:
        f.seek(max(0, bad - 4096))
        sample = f.read(HEAD_BYTES)
    if _looks_gb18030(sample) and first_undecodable(path, "gb18030", max_bytes=scan) is None:
        return "gb18030"
    if first_undecodable(path, "cp1252", max_bytes=scan) is None:
        return "cp1252"
    return "latin-1"              # decodes any byte; shown so the user can override it


def _utf16_without_bom(head: bytes) -> str:
    sample = head[:4096]
    if len(sample) < 4:
        return ""
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return ""


def _looks_gb18030(sample: bytes) -> bool:
    """Chinese text: high bytes come in pairs and decode to CJK characters."""
    text = sample.decode("gb18030", errors="ignore")
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii:
        return False
    cjk = sum(1 for c in non_ascii if CJK.match(c))
    return cjk >= 0.8 * len(non_ascii)


def first_undecodable(path: Path, encoding: str, chunk: int = 1 << 22,
                      max_bytes: int = 0) -> int | None:
    """Offset of the first byte that does not decode, or None; streams, so big files are fine.
    With `max_bytes` (a preview) only that much of the file is looked at."""
    if codecs.lookup(encoding).name == "utf-8" and _valid_utf8(path, chunk, max_bytes):
        return None
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            last = not block or bool(max_bytes and offset + len(block) >= max_bytes)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as e:
                return offset + max(0, e.start)
            if last:
                return None
            offset += len(block)


def _valid_utf8(path: Path, chunk: int, max_bytes: int) -> bool:
    """Whether the file (its first `max_bytes`) is valid UTF-8, checked by pyarrow's validator,
    ten times faster than decoding it; only a file that fails is decoded to find the byte."""
    import numpy as np
    import pyarrow as pa

    carry, offset = b"", 0
    with open(path, "rb") as f:
        while True:
            block = f.read(chunk)
            last = not block or bool(max_bytes and offset + len(block) >= max_bytes)
            data = carry + block
            cut = len(data) if not block else _whole_chars(data)
            carry = data[cut:]
            offsets = pa.py_buffer(np.array([0, cut], dtype=np.int64).tobytes())
            try:
                pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data)[:cut]) \
                    .validate(full=True)
            except pa.ArrowInvalid:
                return False
            if last:
                return not carry or bool(block)
            offset += len(block)


def _whole_chars(data: bytes) -> int:
    """Where to cut `data` so that no UTF-8 character is split (its tail goes to the next block)."""
    i = len(data) - 1
    while i >= max(0, len(data) - 4) and 0x80 <= data[i] < 0xC0:
        i -= 1
    if i < 0 or data[i] < 0xC0:
        return len(data)
    need = 2 if data[i] < 0xE0 else 3 if data[i] < 0xF0 else 4
    return i if len(data) - i < need else len(data)


PREVIEW_SCAN = 8 << 20      # a preview checks the encoding of the first 8 MB only


def resolve_encoding(path: Path, head: bytes, encoding: str, preview: bool = False) -> str:
    scan = PREVIEW_SCAN if preview else 0
    if not encoding:
        return detect_encoding(path, head, scan)
    enc = canonical_encoding(encoding)
    bad = first_undecodable(path, enc, max_bytes=scan)
    if bad is not None:
        raise DataError(code="bad_encoding", file=path.name, encoding=enc, byte=bad + 1)
    return enc


def read_head_text(path: Path, encoding: str, nbytes: int = HEAD_BYTES) -> tuple[str, bool]:
    """Decoded start of the file and whether that is the whole file."""
    with open(path, "rb") as f:
        raw = f.read(nbytes + 1)
    whole = len(raw) <= nbytes
    raw = raw[:nbytes]
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(raw, final=whole)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, whole
