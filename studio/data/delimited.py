"""Delimited text (CSV, TSV, ...): sniff the delimiter and header, then read every cell as a
string with pyarrow. Rows with extra fields (spilled text) are read wider, their extra columns
reported as unnamed in `info["unnamed"]`; a row missing a field is a DataError naming the line
(studio.data.ragged)."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from studio.data import limits as read_limits
from studio.data.encodings import read_head_text
from studio.data.ragged import Ragged, ragged_error, read_ragged
from studio.errors import DataError

SAMPLE_ROWS = 200                # rows parsed with the csv module to sniff the shape
CSV_FIELD_LIMIT = 64 << 20       # see sample_rows
DELIMITERS = (",", "\t", ";", "|")


def sample_rows(text: str, delimiter: str, whole: bool, quoting: bool = True) -> list[list[str]]:
    """Parse the sample with the csv module; drop the last row when the sample was cut short."""
    # The csv module refuses fields over 128 KB by default; a long review is a fine cell, and
    # the readers' own cell limit (studio.data.limits) is what decides.
    if csv.field_size_limit() < CSV_FIELD_LIMIT:
        csv.field_size_limit(CSV_FIELD_LIMIT)
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
    limits = read_limits.current()
    text, whole = read_head_text(path, encoding)
    if not text.strip():
        raise DataError(code="empty_file", file=path.name)
    suffix = path.suffix.lower()
    sep_line, delim, text, rows = _sample(text, whole, suffix)
    if not rows and not whole:
        # No whole row in the head: a very long first row. Look as far as one cell may reach
        # before saying what is wrong (never "empty": the file is not).
        text, whole = read_head_text(path, encoding, limits.max_cell_mb << 20)
        sep_line, delim, text, rows = _sample(text, whole, suffix)
        if not rows and not whole:
            raise read_limits.row_too_big(path.name, text, delim)
    if not rows:
        raise DataError(code="empty_file", file=path.name)
    if max(len(r) for r in rows) > limits.max_columns:
        raise read_limits.too_many_columns(path.name, max(len(r) for r in rows),
                                           limits.max_columns)
    has_header = looks_like_header(rows, suffix) if header is None else header
    width = len(rows[0])
    skip = _leading_blank_lines(text) + int(has_header) + int(bool(sep_line))
    # How pyarrow read it, so a big file can be streamed the same way (studio.data.stream);
    # a file that needed the csv module or skipped odd rows cannot be.
    stream = {"skip": skip, "width": width, "quoting": True}
    try:
        frame = _arrow_read(path, encoding, delim, width, skip, limit, quoting=True)
    except Ragged as first_try:
        frame, stream = _read_uneven(path, encoding, delim, width, skip, limit, has_header,
                                     bool(sep_line), first_try)
    header_row = list(rows[0]) if has_header else []
    names = column_names(header_row + [""] * (frame.shape[1] - len(header_row))
                         if has_header else [None] * frame.shape[1], has_header)
    frame.columns = names
    # Columns without a name: a blank header cell, or fields past the first row's end.
    unnamed = [n for i, n in enumerate(names)
               if i >= len(rows[0]) or (has_header and not str(header_row[i]).strip())]
    # Fields past the first row's end are kept even when empty: "a," is a text with a comma.
    frame = drop_empty_unnamed(frame, rows[0] if has_header else None, keep=names[width:])
    if has_header and len(frame) == 0:
        raise DataError(code="header_only", file=path.name, columns=names)
    fmt = "tsv" if delim == "\t" and suffix != ".txt" else ("txt" if suffix == ".txt" else "csv")
    info = {"format": fmt, "delimiter": delim, "header": has_header}
    if limit and stream and list(frame.columns) == names:
        info["stream"] = {**stream, "fields": names}     # how to read the rest the same way
    unnamed = [n for n in unnamed if n in frame.columns]
    if unnamed:
        info["unnamed"] = unnamed
    if len(names) > width:
        info["padded"] = True     # read by read_ragged: None past a row's end, "" a real field
    return frame, info


def _sample(text: str, whole: bool, suffix: str):
    """(sep= line, delimiter, text after it, sampled rows) of the head of a file."""
    sep_line = SEP_LINE.match(text)          # Excel writes "sep=;" to name the delimiter
    if sep_line:
        delim, text = sep_line.group(1), text[sep_line.end():]
    else:
        delim = sniff_delimiter(text, whole, suffix)
    return sep_line, delim, text, sample_rows(text, delim, whole)



def _read_uneven(path, encoding, delim, width, skip, limit, has_header, sep_line, first_try):
    """A file some of whose rows have another field count than the first row."""
    # Unbalanced quotes inside unquoted text (common in TSV exports) swallow lines; read the
    # file again with quotes taken literally and keep that only if it is consistent.
    try:
        frame = _arrow_read(path, encoding, delim, width, skip, limit, quoting=False)
        return frame, {"skip": skip, "width": width, "quoting": False}
    except Ragged:
        pass
    # Longer rows: text spilled over an unquoted delimiter (see studio.data.ragged).
    frame = read_ragged(path, encoding, delim, width, header=has_header, sep_line=sep_line,
                        limit=limit)
    if frame is not None:
        return frame, None
    if not limit:
        raise ragged_error(path, delim, width, None, first_try.found)
    # The odd row lies past the preview: read what the preview needs without it.
    return _arrow_read(path, encoding, delim, width, skip, limit, quoting=True,
                       tolerate=True), None


SEP_LINE = re.compile(r"sep=([,;\t|])[ \t]*\r?\n")


def _leading_blank_lines(text: str) -> int:
    """Blank lines before the first row; pyarrow counts them when skipping the header."""
    n = 0
    for line in io.StringIO(text, newline=""):
        if line.strip():
            break
        n += 1
    return n


def _arrow_read(path, encoding, delim, width, skip, limit, quoting,
                tolerate=False) -> pd.DataFrame:
    """Fast, low-memory read with pyarrow; every cell a string; any ragged row raises Ragged."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    bad = []

    def on_invalid(row):
        if row.text.strip(delim + " \t\r\n"):     # a line of only spaces is a blank line
            bad.append(row)
        return "skip"

    read, parse, convert = arrow_options(encoding, delim, width, skip, quoting, on_invalid)
    try:
        if limit:
            table = _read_first(pcsv.open_csv(path, read_options=read, parse_options=parse,
                                              convert_options=convert), limit)
        else:
            table = pcsv.read_csv(path, read_options=read, parse_options=parse,
                                  convert_options=convert)
    except pa.ArrowInvalid as e:
        if "straddl" in str(e):     # a row longer than a block: one huge cell or open quote
            raise read_limits.cell_too_long(path.name, read_limits.current().max_cell_mb) \
                from None
        raise DataError(code="bad_csv", file=path.name, detail=str(e)) from None
    if bad and not tolerate:
        raise Ragged(bad[0].expected_columns, bad[0].actual_columns, bad[0].text)
    read_limits.check_cells(path.name, table)
    return table.to_pandas(**arrow_strings())



def arrow_options(encoding, delim, width, skip, quoting, on_invalid, include=None,
                  block_size: int = 1 << 22):
    """pyarrow's read, parse and convert options: fields named f0, f1, ..., every cell a
    string ("" when empty), only the `include`d fields converted."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"f{i}" for i in range(width)]
    arrow_enc = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    read = pcsv.ReadOptions(column_names=names, skip_rows=skip,
                            encoding=arrow_enc, block_size=block_size)
    parse = pcsv.ParseOptions(delimiter=delim, quote_char='"' if quoting else False,
                              newlines_in_values=quoting, invalid_row_handler=on_invalid)
    convert = pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                  include_columns=include or [],
                                  strings_can_be_null=False, quoted_strings_can_be_null=False)
    return read, parse, convert


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


def drop_empty_unnamed(frame: pd.DataFrame, header_row, keep=()) -> pd.DataFrame:
    """Excel exports often carry trailing columns with no name and no data; they are not data."""
    drop = []
    for i, name in enumerate(frame.columns):
        if name in keep:
            continue
        unnamed = header_row is None or i >= len(header_row) or not str(header_row[i]).strip()
        if unnamed and header_row is not None and _all_blank(frame[name]):
            drop.append(name)
        elif header_row is None and i == len(frame.columns) - 1 and _all_blank(frame[name]) \
                and len(frame.columns) > 1:
            drop.append(name)   # "a,b," lines without a header: the trailing field is empty
    return frame.drop(columns=drop) if drop else frame


def _all_blank(series: pd.Series) -> bool:
    return bool(series.isna().all() or series.astype(str).str.strip().eq("").all())
