"""Readers: turn whatever file an analyst uploads into one raw DataFrame, or one clear DataError.

Every reader returns the table exactly as the file holds it (all rows, original order). Delimited
text and Excel cells come back as strings so that "007", "1.0" and "TRUE" are never reinterpreted;
JSON and Parquet keep their native values (a `messages` cell stays a list of dicts).
`studio.data` builds on this: layout, column roles, normalisation and checks.
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
import zipfile
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

HEAD_BYTES = 256 * 1024          # enough to sniff encoding, delimiter and header
SAMPLE_ROWS = 200                # rows parsed with the csv module to sniff the shape
DELIMITERS = (",", "\t", ";", "|")
TEXT_EXTS = {".csv", ".tsv", ".tab", ".txt", ".psv", ".dat", ".text"}
JSON_EXTS = {".json", ".jsonl", ".ndjson"}
DEFAULT_MAX_UPLOAD_MB = 1024


class DataError(ValueError):
    """A file or column mapping a user gave cannot be used.

    The message is one English sentence (what, where, what to do); `code` is a stable key and
    `params` holds every value the message uses, so the UI can translate it.
    """

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params


# ---- limits and file kinds -----------------------------------------------------------------

def max_upload_bytes() -> int:
    raw = os.environ.get("STUDIO_MAX_UPLOAD_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_MAX_UPLOAD_MB
    except ValueError:
        log.warning("STUDIO_MAX_UPLOAD_MB=%r is not a number; using %s", raw, DEFAULT_MAX_UPLOAD_MB)
        mb = DEFAULT_MAX_UPLOAD_MB
    return int(mb * 1024 * 1024)


def check_size(path: Path) -> int:
    size = path.stat().st_size
    limit = max_upload_bytes()
    if size > limit:
        size_mb, limit_mb = round(size / 2**20, 1), round(limit / 2**20, 1)
        raise DataError("too_large", f"{path.name} is {size_mb} MB, above the upload limit of "
                        f"{limit_mb} MB; use a smaller file or raise STUDIO_MAX_UPLOAD_MB.",
                        file=path.name, size_mb=size_mb, limit_mb=limit_mb)
    return size


# Magic numbers of binary files people rename to .csv by mistake.
MAGIC = [
    (b"PAR1", "parquet"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0", "old Excel (.xls) or Word document"), (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"), (b"GIF8", "GIF image"), (b"%PDF", "PDF document"),
    (b"\x1f\x8b", "gzip archive"), (b"BZh", "bzip2 archive"), (b"7z\xbc\xaf", "7-Zip archive"),
    (b"Rar!", "RAR archive"), (b"SQLite format 3", "SQLite database"),
    (b"\x7fELF", "program"), (b"MZ", "Windows program"),
]


UNSUPPORTED = {"old Excel (.xls) or Word document", "PDF document", "SQLite database"}


def sniff_kind(path: Path, head: bytes) -> str:
    """'parquet', 'xlsx', 'text', or a description of a binary file we cannot read."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            if kind == "zip":
                return "xlsx" if _is_xlsx(path) else "zip archive"
            if kind == "Windows program" and not head[:64].count(b"\x00"):
                continue          # "MZ" is also how a text file may start
            return kind
    if head[:4] in (b"RIFF",) or head[4:8] == b"ftyp":
        return "audio or video file"
    return "text"


def _is_xlsx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return "xl/workbook.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


# ---- encodings -----------------------------------------------------------------------------

BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16")]
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def canonical_encoding(name: str) -> str:
    """Python's codec name in the spelling users know ('utf_8' -> 'utf-8')."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise DataError("unknown_encoding", f"'{name}' is not a known text encoding; use for "
                        f"example utf-8, utf-16, gb18030 or cp1252.", encoding=name) from None
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
        raise DataError("binary_file", f"{path.name} contains binary data, not text; export it "
                        f"as CSV, JSON, Parquet or Excel.", file=path.name, kind="binary")
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


PREVIEW_SCAN = 8 << 20      # a preview checks the encoding of the first 8 MB only


def resolve_encoding(path: Path, head: bytes, encoding: str, preview: bool = False) -> str:
    scan = PREVIEW_SCAN if preview else 0
    if not encoding:
        return detect_encoding(path, head, scan)
    enc = canonical_encoding(encoding)
    bad = first_undecodable(path, enc, max_bytes=scan)
    if bad is not None:
        raise DataError("bad_encoding", f"{path.name} is not valid {enc} (byte {bad + 1} does not "
                        f"decode); choose another encoding or leave it empty to detect it.",
                        file=path.name, encoding=enc, byte=bad + 1)
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


# ---- delimited text ------------------------------------------------------------------------

def sample_rows(text: str, delimiter: str, whole: bool, quoting: bool = True) -> list[list[str]]:
    """Parse the sample with the csv module; drop the last row when the sample was cut short."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                        quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) > SAMPLE_ROWS:
                break
    except csv.Error:
        pass
    if not whole and rows and len(rows) <= SAMPLE_ROWS:
        rows.pop()
    return [r for r in rows if r and any(c.strip() for c in r)][:SAMPLE_ROWS]


def sniff_delimiter(text: str, whole: bool, suffix: str) -> str:
    """The extension's delimiter when it splits every sampled row alike, else the candidate that
    splits the sample into the most consistent rows of 2+ fields."""
    if suffix in (".tsv", ".tab"):
        return "\t"
    if suffix == ".psv":
        return "|"
    default = "\t" if suffix == ".txt" else ","
    order = [default] + [d for d in DELIMITERS if d != default]
    stats = {}
    for d in order:
        counts = [len(r) for r in sample_rows(text, d, whole)]
        if counts:
            mode = max(set(counts), key=counts.count)
            stats[d] = (mode, counts.count(mode) / len(counts))
    consistent = [d for d in order if d in stats and stats[d][1] == 1.0]
    multi = [d for d in consistent if stats[d][0] > 1]
    if default in consistent and (stats[default][0] > 1 or not multi):
        return default
    if multi:
        return multi[0]
    scored = [(stats[d][1], d) for d in order if d in stats and stats[d][0] > 1]
    return max(scored, key=lambda t: t[0])[1] if scored else default


KNOWN_NAMES = {
    "label", "labels", "class", "category", "sentiment", "target", "y", "text", "sentence",
    "sentence1", "sentence2", "content", "review", "comment", "prompt", "response", "input",
    "output", "instruction", "question", "answer", "source", "src", "tgt", "article",
    "summary", "document", "id", "title", "body", "query", "completion", "context", "premise",
    "hypothesis", "text_a", "text_b", "messages", "system", "idx",
}


def looks_like_header(rows: list[list[str]], suffix: str = "") -> bool:
    """Guess whether the first row names the columns.

    A header cell is short, not a number, and does not reappear below it (a label value like
    "positive" keeps reappearing in its column; a column name does not).
    """
    if not rows:
        return False
    first, body = rows[0], rows[1:]
    names = [c.strip().lower() for c in first]
    if any(n in KNOWN_NAMES for n in names):
        return True
    if suffix == ".txt":
        return False                      # tab-separated text pairs rarely carry a header
    if not body:
        return all(c.strip() and not _is_number(c) and len(c) <= 40 for c in first)
    filled = [c for c in first if c.strip()]
    if not filled or any(_is_number(c) for c in filled) or len(set(filled)) < len(filled):
        return False
    if any(len(c) > 60 for c in filled):
        return False
    for i, cell in enumerate(first):
        column = [r[i] for r in body if i < len(r)]
        if cell.strip() and cell in column:
            return False
    # A numeric column under a non-numeric name is the strongest sign of a header.
    for i, cell in enumerate(first):
        column = [r[i] for r in body if i < len(r) and r[i].strip()]
        if column and all(_is_number(v) for v in column):
            return True
    avg_body = sum(len(c) for r in body for c in r) / max(1, sum(len(r) for r in body))
    return sum(len(c) for c in first) / len(first) <= max(25, avg_body)


def _is_number(text) -> bool:
    try:
        float(str(text).strip())
        return True
    except ValueError:
        return False


def column_names(first: list, header: bool) -> list[str]:
    """Names as shown: header cells, with blanks and duplicates made unique; column_N without."""
    if not header:
        return [f"column_{i + 1}" for i in range(len(first))]
    names, seen = [], set()
    for i, cell in enumerate(first):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"column_{i + 1}"
        base, k = name, 2
        while name in seen:
            name, k = f"{base}_{k}", k + 1
        seen.add(name)
        names.append(name)
    return names


def read_delimited(path: Path, encoding: str, limit: int, header: bool | None
                   ) -> tuple[pd.DataFrame, dict]:
    text, whole = read_head_text(path, encoding)
    if not text.strip():
        raise DataError("empty_file", f"{path.name} is empty; choose a file with data rows.",
                        file=path.name)
    suffix = path.suffix.lower()
    sep_line = SEP_LINE.match(text)          # Excel writes "sep=;" to name the delimiter
    if sep_line:
        delim, text = sep_line.group(1), text[sep_line.end():]
    else:
        delim = sniff_delimiter(text, whole, suffix)
    rows = sample_rows(text, delim, whole)
    if not rows:
        raise DataError("empty_file", f"{path.name} is empty; choose a file with data rows.",
                        file=path.name)
    has_header = looks_like_header(rows, suffix) if header is None else header
    width = len(rows[0])
    skip = _leading_blank_lines(text) + int(has_header) + int(bool(sep_line))
    try:
        frame = _arrow_read(path, encoding, delim, width, skip, limit, quoting=True)
    except _Ragged as first_try:
        # Unbalanced quotes inside unquoted text (common in TSV exports) swallow lines; read the
        # file again with quotes taken literally and keep that only if it is consistent.
        try:
            frame = _arrow_read(path, encoding, delim, width, skip, limit, quoting=False)
        except _Ragged:
            error = _ragged_error(path, encoding, delim, width, first_try,
                                  limit + has_header if limit else 0)
            if error is not None:
                raise error from None
            # The ragged row lies past the preview: read what the preview needs without it.
            frame = _arrow_read(path, encoding, delim, width, skip, limit, quoting=True,
                                tolerate=True)
    names = column_names(rows[0], has_header)
    frame.columns = names
    frame = drop_empty_unnamed(frame, rows[0] if has_header else None)
    if has_header and len(frame) == 0:
        raise DataError("header_only", f"{path.name} has a header row ({', '.join(names)}) but no "
                        f"data rows; add rows below the header.", file=path.name,
                        columns=names)
    fmt = "tsv" if delim == "\t" and suffix != ".txt" else ("txt" if suffix == ".txt" else "csv")
    return frame, {"format": fmt, "delimiter": delim, "header": has_header}


SEP_LINE = re.compile(r"sep=([,;\t|])[ \t]*\r?\n")


def _leading_blank_lines(text: str) -> int:
    """Blank lines before the first row; pyarrow counts them when skipping the header."""
    n = 0
    for line in io.StringIO(text, newline=""):
        if line.strip():
            break
        n += 1
    return n


class _Ragged(Exception):
    def __init__(self, expected, found, text):
        self.expected, self.found, self.text = expected, found, text


def _arrow_read(path, encoding, delim, width, skip, limit, quoting,
                tolerate=False) -> pd.DataFrame:
    """Fast, low-memory read with pyarrow; every cell a string; any ragged row raises _Ragged."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    bad = []

    def on_invalid(row):
        if row.text.strip(delim + " \t\r\n"):     # a line of only spaces is a blank line
            bad.append(row)
        return "skip"

    names = [f"f{i}" for i in range(width)]
    arrow_enc = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    read = pcsv.ReadOptions(column_names=names, skip_rows=skip,
                            encoding=arrow_enc, block_size=1 << 22)
    parse = pcsv.ParseOptions(delimiter=delim, quote_char='"' if quoting else False,
                              newlines_in_values=quoting, invalid_row_handler=on_invalid)
    convert = pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                  strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        if limit:
            table = _read_first(pcsv.open_csv(path, read_options=read, parse_options=parse,
                                              convert_options=convert), limit)
        else:
            table = pcsv.read_csv(path, read_options=read, parse_options=parse,
                                  convert_options=convert)
    except pa.ArrowInvalid as e:
        raise DataError("bad_csv", f"{path.name} could not be read as a delimited table ({e}); "
                        f"check that it is a CSV or TSV file.", file=path.name,
                        detail=str(e)) from None
    if bad and not tolerate:
        raise _Ragged(bad[0].expected_columns, bad[0].actual_columns, bad[0].text)
    return table.to_pandas(**arrow_strings())


def arrow_strings() -> dict:
    """pandas 3 keeps pyarrow strings by default; pandas 2 would make a Python object per
    cell (4x the memory on a big file) unless asked to keep them in arrow."""
    import pyarrow as pa

    if int(pd.__version__.split(".")[0]) >= 3:
        return {}
    return {"types_mapper": {pa.string(): pd.StringDtype("pyarrow"),
                             pa.large_string(): pd.StringDtype("pyarrow")}.get}


def _read_first(reader, limit: int):
    import pyarrow as pa

    batches, n = [], 0
    for batch in reader:
        batches.append(batch)
        n += batch.num_rows
        if n >= limit:
            break
    table = pa.Table.from_batches(batches, schema=reader.schema)
    return table.slice(0, limit)


def _ragged_error(path, encoding, delim, width, info: _Ragged, max_rows: int = 0):
    """Find the line of the first row whose field count differs (csv module counts lines).

    With `max_rows` (a preview) only that many rows are looked at; None if they are all fine.
    """
    line, found, seen = None, info.found, 0
    with open(path, encoding=encoding, newline="", errors="replace") as f:
        reader = csv.reader(f, delimiter=delim)
        try:
            for row in reader:
                if not any(c.strip() for c in row):
                    continue
                seen += 1
                if len(row) != width:
                    line, found = reader.line_num, len(row)
                    break
                if max_rows and seen >= max_rows:
                    return None
        except csv.Error:
            pass
    name = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delim, repr(delim))
    where = f"Line {line}" if line else "A row"
    return DataError("ragged_rows", f"{where} of {path.name} has {_fields(found)} but the first "
                     f"row has {width}; fix the missing or extra {name} there, or quote text "
                     f"that contains a {name}.", file=path.name, line=line, found=found,
                     expected=width, delimiter=delim)


def _fields(n) -> str:
    return "1 field" if n == 1 else f"{n} fields"


def drop_empty_unnamed(frame: pd.DataFrame, header_row) -> pd.DataFrame:
    """Excel exports often carry trailing columns with no name and no data; they are not data."""
    drop = []
    for i, name in enumerate(frame.columns):
        unnamed = header_row is None or i >= len(header_row) or not str(header_row[i]).strip()
        if unnamed and header_row is not None and _all_blank(frame[name]):
            drop.append(name)
        elif header_row is None and i == len(frame.columns) - 1 and _all_blank(frame[name]) \
                and len(frame.columns) > 1:
            drop.append(name)   # "a,b," lines without a header: the trailing field is empty
    return frame.drop(columns=drop) if drop else frame


def _all_blank(series: pd.Series) -> bool:
    return bool(series.isna().all() or series.astype(str).str.strip().eq("").all())


# ---- JSON / JSONL --------------------------------------------------------------------------

RECORD_KEYS = ("data", "rows", "records", "examples", "train", "items", "instances", "samples")


def read_json(path: Path, encoding: str, limit: int) -> tuple[pd.DataFrame, dict]:
    suffix = path.suffix.lower()
    text, _ = read_head_text(path, encoding, 4096)
    first = text.lstrip()[:1]
    if not first:
        raise DataError("empty_file", f"{path.name} is empty; choose a file with data rows.",
                        file=path.name)
    if suffix in (".jsonl", ".ndjson") or (first == "{" and _looks_jsonl(path, encoding)):
        return records_frame(path, read_jsonl(path, encoding, limit)), {"format": "jsonl"}
    with open(path, encoding=encoding) as f:
        body = f.read()
    try:
        data = json.loads(body.lstrip("\ufeff"))
    except json.JSONDecodeError as e:
        raise DataError("bad_json", f"{path.name} is not valid JSON at line {e.lineno}, column "
                        f"{e.colno} ({e.msg}); fix the file there, where a comma, quote or "
                        f"bracket is usually missing.", file=path.name, line=e.lineno,
                        column=e.colno,
                        detail=e.msg) from None
    records = _records_in(path, data)
    if limit:
        records = records[:limit]
    return records_frame(path, records), {"format": "json"}


def _looks_jsonl(path: Path, encoding: str) -> bool:
    """One complete object per line: a second line, or a single line that is a record rather
    than an object wrapping the records ({"data": [...]})."""
    lines = 0
    with open(path, encoding=encoding) as f:
        for line in f:
            if not line.strip():
                continue
            lines += 1
            if lines == 1:
                try:
                    first = json.loads(line.lstrip("\ufeff"))
                except json.JSONDecodeError:
                    return False
                if not isinstance(first, dict):
                    return False
            else:
                return True
    wrapped = any(isinstance(first.get(k), list) for k in RECORD_KEYS)
    return lines == 1 and not wrapped


def read_jsonl(path: Path, encoding: str, limit: int) -> list:
    records = []
    with open(path, encoding=encoding) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line.lstrip("\ufeff") if lineno == 1 else line))
            except json.JSONDecodeError as e:
                raise DataError("bad_json", f"{path.name} is not valid JSON Lines at line "
                                f"{lineno}, column {e.colno} ({e.msg}); each line must hold one "
                                f"complete JSON object.", file=path.name, line=lineno,
                                column=e.colno, detail=e.msg) from None
            if not isinstance(records[-1], dict):
                raise DataError("bad_json", f"Line {lineno} of {path.name} holds a "
                                f"{type(records[-1]).__name__}, not an object; each line must "
                                f"hold one object like {{\"text\": ...}}.", file=path.name,
                                line=lineno, column=1, detail="not an object")
            if limit and len(records) >= limit:
                break
    return records


def _records_in(path: Path, data) -> list:
    """A JSON array of records, or an object holding one (under "data", "train", ...)."""
    if isinstance(data, dict):
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        key = next((k for k in RECORD_KEYS if k in lists), None)
        if key is None and len(lists) == 1:
            key = next(iter(lists))
        if key is None and lists and len(lists) == len(data) \
                and len({len(v) for v in lists.values()}) == 1:
            return pd.DataFrame(lists).to_dict("records")     # {"text": [...], "label": [...]}
        if key is None:
            raise DataError("bad_json_shape", f"{path.name} holds a JSON object without a list of "
                            f"records; give a list of objects like [{{\"text\": ..., "
                            f"\"label\": ...}}].", file=path.name)
        data = lists[key]
    if not isinstance(data, list):
        raise DataError("bad_json_shape", f"{path.name} holds a single JSON value, not a list of "
                        f"records; give a list of objects like "
                        f"[{{\"text\": ..., \"label\": ...}}].",
                        file=path.name)
    return data


def records_frame(path: Path, records: list) -> pd.DataFrame:
    if not records:
        raise DataError("empty_file", f"{path.name} holds no records; add at least one.",
                        file=path.name)
    if all(isinstance(r, list) for r in records):
        width = max(len(r) for r in records)
        return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in records],
                            columns=column_names([None] * width, False), dtype=object)
    for i, r in enumerate(records):
        if not isinstance(r, dict):
            raise DataError("bad_json_shape", f"Record {i + 1} of {path.name} is a "
                            f"{type(r).__name__}, not an object; every record must look like "
                            f"{{\"text\": ..., \"label\": ...}}.", file=path.name, record=i + 1)
    columns = list(dict.fromkeys(k for r in records for k in r))
    return pd.DataFrame({c: [r.get(c) for r in records] for c in columns},
                        columns=columns, dtype=object)


# ---- Parquet / Excel / Hugging Face --------------------------------------------------------

def read_parquet(path: Path, limit: int) -> tuple[pd.DataFrame, dict]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        if limit:
            batches = pf.iter_batches(batch_size=limit)
            first = next(batches, None)
            table = pa.Table.from_batches([first] if first is not None else [],
                                          schema=pf.schema_arrow)
        else:
            table = pf.read()
    except (pa.ArrowException, OSError) as e:
        raise DataError("bad_parquet", f"{path.name} is not a readable Parquet file ({e}); "
                        f"export it again.", file=path.name, detail=str(e)) from None
    return arrow_frame(table), {"format": "parquet"}


def arrow_frame(table) -> pd.DataFrame:
    """Nested columns (conversations) become Python lists of dicts; the rest stays columnar."""
    import pyarrow.types as pt

    out = {}
    for name, col in zip(table.column_names, table.columns):
        if pt.is_nested(col.type) or pt.is_binary(col.type):
            out[name] = pd.Series(col.to_pylist(), dtype=object)
        else:
            out[name] = col.to_pandas()
    return pd.DataFrame(out, columns=table.column_names)


def read_xlsx(path: Path, sheet: str, limit: int, header: bool | None) -> tuple[pd.DataFrame, dict]:
    rows, sheets = _xlsx_rows(path, sheet, limit)
    name = sheet or sheets[0]
    if not rows:
        raise DataError("empty_file", f"Sheet '{name}' of {path.name} is empty; choose the sheet "
                        f"with the data.", file=path.name, sheet=name, sheets=sheets)
    width = max(len(r) for r in rows)
    while width > 1 and all(len(r) < width or not r[width - 1].strip() for r in rows):
        width -= 1                                  # trailing empty columns
    rows = [(r + [""] * width)[:width] for r in rows]
    has_header = looks_like_header(rows[:SAMPLE_ROWS]) if header is None else header
    names = column_names(rows[0], has_header)
    body = rows[1:] if has_header else rows
    if limit:
        body = body[:limit]
    if has_header and not body:
        raise DataError("header_only", f"Sheet '{name}' of {path.name} has a header row but no "
                        f"data rows; add rows below the header.", file=path.name, sheet=name,
                        columns=names)
    frame = pd.DataFrame(body, columns=names, dtype=object).astype("str")
    frame = drop_empty_unnamed(frame, rows[0] if has_header else None)
    return frame, {"format": "xlsx", "sheets": sheets, "sheet": name, "header": has_header}


def _xlsx_rows(path: Path, sheet: str, limit: int) -> tuple[list[list[str]], list[str]]:
    """Non-empty rows of one sheet as strings. Opened from a file handle because openpyxl
    refuses paths whose extension is not .xlsx (a workbook renamed to .csv is still one)."""
    import openpyxl

    with open(path, "rb") as fh:
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except Exception as e:      # openpyxl raises many types for broken files
            raise DataError("bad_xlsx", f"{path.name} is not a readable Excel workbook ({e}); "
                            f"save it again as .xlsx or export a CSV.", file=path.name,
                            detail=str(e)) from None
        try:
            sheets = list(wb.sheetnames)
            if sheet and sheet not in sheets:
                raise DataError("missing_sheet", f"{path.name} has no sheet '{sheet}'; its sheets "
                                f"are {', '.join(sheets)}.", file=path.name, sheet=sheet,
                                sheets=sheets)
            rows = []
            for values in wb[sheet or sheets[0]].iter_rows(values_only=True):
                cells = [excel_cell(v) for v in values]
                if any(c != "" for c in cells):
                    rows.append(cells)
                if limit and len(rows) > limit:
                    break
        finally:
            wb.close()
    return rows, sheets


def excel_cell(value) -> str:
    """Cells as the user sees them: 3 not 3.0, dates as ISO, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


HF_PATTERN = re.compile(r"^(?:hf:|hf://(?:datasets/)?|hub:)(?P<name>[\w.\-]+(?:/[\w.\-]+)?)"
                        r"(?::(?P<config>[\w.\-]+))?(?:@(?P<split>[\w.\-\[\]:%]+))?$")


def is_hf(path) -> bool:
    return str(path).startswith(("hf:", "hub:"))


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on") \
        or os.environ.get("HF_DATASETS_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP check so a machine without network fails in seconds, not after retries.
    Behind a proxy the direct check proves nothing, so it is skipped there."""
    import socket
    from urllib.parse import urlparse

    if any(os.environ.get(k) for k in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    url = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((url.hostname, url.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def read_hf(spec: str, limit: int) -> tuple[pd.DataFrame, dict]:
    """hf:owner/name[:config][@split]; fails fast when the Hub is switched off."""
    m = HF_PATTERN.match(spec.strip())
    if not m:
        raise DataError("bad_dataset_id", f"'{spec}' is not a dataset id; write it like "
                        f"hf:owner/name, hf:owner/name:config or hf:owner/name@split.", spec=spec)
    name, config, split = m["name"], m["config"], m["split"] or "train"
    if hub_offline() or not hub_reachable():
        raise DataError("offline_dataset", f"The Hugging Face dataset {name} cannot be downloaded "
                        f"because the Hub is offline or unreachable; upload the data as a "
                        f"file instead.", dataset=name)
    import datasets

    try:
        ds = datasets.load_dataset(name, config, split=split, streaming=bool(limit))
        if limit:
            frame = pd.DataFrame.from_records(list(ds.take(limit)))
        else:
            frame = arrow_frame(ds.data.table)
    except (ConnectionError, TimeoutError, OSError) as e:
        raise DataError("offline_dataset", f"The Hugging Face dataset {name} could not be "
                        f"downloaded ({type(e).__name__}); check the connection or upload the "
                        f"data as a file.", dataset=name, detail=str(e)) from None
    except Exception as e:      # datasets raises its own types for unknown ids/configs/splits
        raise DataError("dataset_not_found", f"The Hugging Face dataset {name} could not be "
                        f"loaded ({e}); check the id, config and split.", dataset=name,
                        config=config or "", split=split, detail=str(e)) from None
    return frame, {"format": "hf", "encoding": "", "sheets": []}


# ---- entry point ---------------------------------------------------------------------------

def read_any(path, *, encoding: str = "", sheet: str = "", limit: int = 0,
             header: bool | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a file (or hf: dataset) into a raw frame; info has format, encoding, sheets."""
    if is_hf(path):
        return read_hf(str(path), limit)
    p = Path(path)
    if not p.exists():
        raise DataError("not_found", f"{p} does not exist; check the path.", file=str(p))
    if p.is_dir():
        raise DataError("not_a_file", f"{p} is a folder; choose a data file inside it.",
                        file=str(p))
    size = check_size(p)
    if size == 0:
        raise DataError("empty_file", f"{p.name} is empty; choose a file with data rows.",
                        file=p.name)
    with open(p, "rb") as f:
        head = f.read(HEAD_BYTES)
    kind = sniff_kind(p, head)
    if kind == "parquet":
        frame, info = read_parquet(p, limit)
    elif kind == "xlsx":
        frame, info = read_xlsx(p, sheet, limit, header)
    elif kind in UNSUPPORTED:
        raise DataError("unknown_format", f"{p.name} is a {kind}, which cannot be read as a "
                        f"table; save it as .xlsx, CSV or JSON and upload that.", file=p.name,
                        kind=kind)
    elif kind != "text":
        raise DataError("binary_file", f"{p.name} is a {kind}, not a data table; upload a CSV, "
                        f"TSV, JSON, JSONL, Parquet or Excel (.xlsx) file.", file=p.name, kind=kind)
    else:
        enc = resolve_encoding(p, head, encoding, preview=bool(limit))
        frame, info = _read_text(p, enc, head, limit, header)
        info["encoding"] = enc
    frame = frame.reset_index(drop=True)
    info.setdefault("encoding", "")
    info.setdefault("sheets", [])
    log.info("read %s: %d rows, columns %s (%s)", p.name, len(frame), list(frame.columns),
             info["format"])
    return frame, info


def _read_text(p: Path, enc: str, head: bytes, limit: int, header) -> tuple[pd.DataFrame, dict]:
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".parquet", ".xls"):
        log.info("%s has a %s extension but holds text; reading it as text", p.name, suffix)
    text, _ = read_head_text(p, enc, 4096)
    first = text.lstrip()[:1]
    if suffix in JSON_EXTS or (suffix not in TEXT_EXTS and first in ("[", "{")):
        return read_json(p, enc, limit)
    if first in ("[", "{"):
        # JSON saved under a table extension: read it as JSON if it parses as such.
        try:
            return read_json(p, enc, limit)
        except DataError:
            log.info("%s starts like JSON but is not; reading it as a table", p.name)
    if _control_heavy(text):
        raise DataError("binary_file", f"{p.name} contains binary data, not text; export it as "
                        f"CSV, JSON, Parquet or Excel.", file=p.name, kind="binary")
    return read_delimited(p, enc, limit, header)


def _control_heavy(text: str) -> bool:
    sample = text[:4096]
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n\f\v" or c == "\ufffd")
    return bool(sample) and bad > 0.05 * len(sample)


# ---- chat layouts: alpaca, OpenAI messages, ShareGPT -> [{"role", "content"}] ----------------

CHAT_LAYOUTS = ("alpaca", "messages", "sharegpt")
MESSAGE_COLUMNS = ("messages", "conversations", "conversation", "dialog", "chat", "turns")
ROLE_MAP = {"user": "user", "human": "user", "assistant": "assistant", "gpt": "assistant",
            "model": "assistant", "chatgpt": "assistant", "bot": "assistant",
            "system": "system"}


def _norm_name(name) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def parse_turns(value):
    """A cell holding a conversation: a list, a numpy array (Parquet) or a JSON string."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        value = value.tolist()
    if isinstance(value, list) and all(isinstance(t, dict) for t in value):
        return value
    return None


def find_messages_column(frame: pd.DataFrame):
    names = {_norm_name(c): c for c in frame.columns}
    for n in MESSAGE_COLUMNS:
        if n in names:
            return names[n]
    for c in frame.columns:
        turns = parse_turns(_first_value(frame[c]))
        if turns and any(("role" in t or "from" in t) for t in turns):
            return c
    return None


def _first_value(series: pd.Series):
    for v in series.head(50):
        if v is not None and not (isinstance(v, float) and v != v):
            return v
    return None


def detect_chat_layout(frame: pd.DataFrame) -> str:
    col = find_messages_column(frame)
    if col is not None:
        turns = parse_turns(_first_value(frame[col])) or []
        keys = {k for t in turns for k in t}
        if "from" in keys or "value" in keys:
            return "sharegpt"
        if "role" in keys or _norm_name(col) == "messages":
            return "messages"
        if _norm_name(col) == "conversations":
            return "sharegpt"
    names = {_norm_name(c) for c in frame.columns}
    if "instruction" in names and ({"output", "response"} & names):
        return "alpaca"
    return ""


def content_text(content) -> tuple[str, int]:
    """A message content as text, and how many non-text parts (images, audio) were left out."""
    if content is None or (isinstance(content, float) and content != content):
        return "", 0
    if isinstance(content, str):
        return content, 0
    if hasattr(content, "tolist"):
        content = content.tolist()
    if isinstance(content, dict):
        content = [content]
    if isinstance(content, list):
        texts, other = [], 0
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and (part.get("type", "text") == "text" or "text" in part) \
                    and isinstance(part.get("text"), str):
                texts.append(part["text"])
            else:
                other += 1
        return "\n".join(texts), other
    return str(content), 0


def _cell(row, col) -> str:
    """A table cell as message text: numbers as written (3, not 3.0), missing as ''."""
    if not col:
        return ""
    value = row[col]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if value != value:
            return ""
        return str(int(value)) if float(value).is_integer() else str(value)
    return content_text(value)[0]


class _Findings:
    """Per-row masks of what the conversion found, as (mask, action, params) per kind."""

    def __init__(self, n: int):
        self.n, self.masks, self.params = n, {}, {}
        self.actions = {}

    def add(self, kind: str, i: int, action: str, **params) -> None:
        import numpy as np
        if kind not in self.masks:
            self.masks[kind] = np.zeros(self.n, dtype=bool)
            self.params[kind] = params
        self.masks[kind][i] = True
        self.actions[kind] = action

    def result(self) -> dict:
        return {k: (m, self.actions[k], self.params[k]) for k, m in self.masks.items()}


def rows_to_messages(frame: pd.DataFrame, layout: str, roles: dict, system_prompt: str,
                     fixes: dict | None):
    """Each row as a list of {"role", "content"} (None when unusable), plus what was found."""
    from studio.checks import ACTION_OF, choice

    unknown_choice = choice(fixes, "unknown_role")
    trailing_choice = choice(fixes, "not_ending_with_assistant")
    found = _Findings(len(frame))
    out = []
    for i, row in enumerate(frame.to_dict("records")):
        if layout in ("messages", "sharegpt"):
            msgs = _conversation(row, roles, i, found, unknown_choice)
        else:
            msgs = _pair_turns(row, roles, layout)
        if msgs is None:
            out.append(None)
            continue
        system = _cell(row, roles.get("system")) or system_prompt
        if system and not any(m["role"] == "system" for m in msgs):
            msgs.insert(0, {"role": "system", "content": system})
        out.append(_finish(msgs, i, found, trailing_choice, ACTION_OF))
    return out, found.result()


def _pair_turns(row, roles, layout) -> list[dict]:
    user = _cell(row, roles.get("prompt"))
    extra = _cell(row, roles.get("input"))
    if extra.strip():
        user = f"{user}\n\n{extra}" if user.strip() else extra
    msgs = []
    for pair in _history(row.get(roles["history"]) if roles.get("history") else None):
        msgs += [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]
    return msgs + [{"role": "user", "content": user},
                   {"role": "assistant", "content": _cell(row, roles.get("response"))}]


def _history(value) -> list:
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return []
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list):
        return []
    return [(content_text(p[0])[0], content_text(p[1])[0]) for p in value
            if isinstance(p, (list, tuple)) and len(p) == 2]


def _conversation(row, roles, i, found, unknown_choice):
    turns = parse_turns(row.get(roles["messages"]))
    if turns is None:
        found.add("bad_messages", i, "excluded")
        return None
    msgs = []
    for t in turns:
        raw_role = t.get("role", t.get("from", ""))
        role = ROLE_MAP.get(str(raw_role).strip().lower())
        text, other = content_text(t.get("content", t.get("value")))
        if other:
            found.add("non_text_content", i, "warning")
        if role is None:
            action = "excluded" if unknown_choice == "exclude" else "fixed"
            found.add("unknown_role", i, action, role=str(raw_role))
            if action == "excluded":
                return None
            continue
        msgs.append({"role": role, "content": text})
    return msgs


def _finish(msgs, i, found, trailing_choice, action_of):
    """Conversations must end with a non-empty assistant reply after a non-empty user turn."""
    last = max((k for k, m in enumerate(msgs) if m["role"] == "assistant"), default=None)
    if last is None:
        found.add("no_assistant", i, "excluded")
        return None
    if last < len(msgs) - 1:
        found.add("not_ending_with_assistant", i, action_of[trailing_choice])
        if trailing_choice == "exclude":
            return None
        msgs = msgs[:last + 1]
    if not msgs[last]["content"].strip() or not any(
            m["role"] == "user" and m["content"].strip() for m in msgs):
        found.add("empty_text", i, "excluded")
        return None
    return msgs


def messages_to_pair(messages: list[dict]) -> tuple[str, str]:
    """text2text view of a conversation: everything before the last reply -> that reply.

    A single user turn becomes the prompt as is; longer histories are rendered as
    "User: ... / Assistant: ..." lines so no turn is lost.
    """
    last = max(k for k, m in enumerate(messages) if m["role"] == "assistant")
    before = [m for m in messages[:last] if m["role"] != "system"]
    if len(before) == 1:
        return before[0]["content"], messages[last]["content"]
    return render_messages(before), messages[last]["content"]


def render_messages(messages: list[dict] | None) -> str:
    if not messages:
        return ""
    return "\n\n".join(f"{m['role'].capitalize()}: {m['content']}" for m in messages)
