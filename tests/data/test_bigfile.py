"""Big delimited files: a sample for the preview and role guesses, one streaming pass for counts
and checks (studio.data.stream). Each test compares with the whole read (the same file with
the streaming threshold out of reach) or with pandas, on files of a few to 40 MB."""
from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from studio.config import JobConfig
from studio.data import encodings, frames, stream
from studio.data.pipeline import inspect_file, load_job_data
from studio.data.results import StreamedInspection
from studio.errors import DataError

ROOT = Path(__file__).resolve().parents[2]
WORDS = ("the film is a quiet , funny and moving portrait of two friends who drift apart ; "
         "its \"cast\" shines but the script stumbles , and the ending feels rushed").split()


def write_rows(path: Path, rows: int, seed: int = 0, tail: list[str] = (),
               sep: str = ",", encoding: str = "utf-8", words: tuple = (8, 40)) -> None:
    """`rows` quoted rows id,text,label (text with commas and quotes), then `tail` lines."""
    rng = random.Random(seed)
    labels = ("positive", "negative", "neutral")
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(sep.join(("id", "text", "label")) + "\n")
        for i in range(rows):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(*words))).replace('"', '""')
            f.write(f'{i + 1}{sep}"{text} #{i}"{sep}{labels[rng.randrange(3)]}\n')
        for line in tail:
            f.write(line + "\n")


# Problems planted past the sample: a blank text, a repeat of row 1, a placeholder, a label
# with stray spaces, and one text given two labels.
TAIL = ['900001,"   ",positive', "900002,{first},{label}", '900003,"Dear {{name}}, hi",neutral',
        '900004,"the only one of its kind", positive ', '900005,"same text twice",positive',
        '900006,"same text twice",negative']


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """About 6 MB: streamed once the threshold is lowered to 1 MB (see `streaming`)."""
    path = tmp_path_factory.mktemp("big") / "reviews.csv"
    write_rows(path, 30_000)
    first = pd.read_csv(path, nrows=1, dtype=str, keep_default_na=False).iloc[0]
    quoted = '"' + first["text"].replace('"', '""') + '"'
    tail = [line.replace("{first}", quoted).replace("{label}", first["label"]) for line in TAIL]
    with open(path, "a", encoding="utf-8") as f:
        f.write("\n".join(tail) + "\n")
    return path


@pytest.fixture
def streaming(monkeypatch):
    """Stream anything above 1 MB, from a 2,000-row sample, in 256 KB blocks."""
    monkeypatch.setattr(stream, "STREAM_BYTES", 1 << 20)
    monkeypatch.setattr(stream, "SAMPLE_ROWS", 2_000)
    monkeypatch.setattr(stream, "BLOCK_BYTES", 1 << 18)
    monkeypatch.setattr(stream, "EXCLUDED_DATA_ROWS", 3)
    frames.FRAMES.clear()
    stream.SCANS.clear()
    stream.CELLS.clear()
    yield
    frames.FRAMES.clear()
    stream.SCANS.clear()
    stream.CELLS.clear()


def whole(path, **kwargs):
    """The same inspection with streaming out of reach."""
    old = stream.STREAM_BYTES
    stream.STREAM_BYTES = 1 << 50
    frames.FRAMES.clear()
    try:
        return inspect_file(path, **kwargs)
    finally:
        stream.STREAM_BYTES = old
        frames.FRAMES.clear()


def problems(insp) -> list[dict]:
    return [p.__dict__ for p in insp.problems]


def test_a_streamed_inspection_reports_what_the_whole_read_does(big, streaming):
    streamed = inspect_file(big)
    full = whole(big)
    assert isinstance(streamed, StreamedInspection) and not isinstance(full, StreamedInspection)
    assert len(streamed.frame) == 2_000 and len(full.frame) == 30_006
    for key in ("format", "encoding", "layout", "columns", "roles", "task", "labels", "rows",
                "details"):
        assert getattr(streamed, key) == getattr(full, key), key
    assert problems(streamed) == problems(full)
    kinds = {p.kind: p.rows for p in streamed.problems}
    # Every planted problem lies past the sample and is found, with its row number.
    assert kinds["empty_text"] == [30_001] and kinds["duplicate"] == [30_002]
    assert kinds["placeholder"] == [30_003] and kinds["label_whitespace"] == [30_004]
    assert kinds["conflicting_label"] == [30_005, 30_006]
    # Excluded rows: the same rows and reasons; cells kept for the first EXCLUDED_DATA_ROWS.
    assert [(e["row"], e["reason"]) for e in streamed.excluded] == \
        [(e["row"], e["reason"]) for e in full.excluded] == [(30_001, "empty_text"),
                                                             (30_002, "duplicate")]
    assert streamed.excluded == full.excluded
    assert streamed.to_dict() == {**full.to_dict(), "preview": streamed.to_dict()["preview"]}
    assert streamed.to_dict()["preview"] == full.to_dict()["preview"]
    assert streamed.examples.equals(full.examples)


def test_counts_equal_pandas_ground_truth(big, streaming):
    insp = inspect_file(big)
    truth = pd.read_csv(big, dtype=str, keep_default_na=False)
    truth["label"] = truth["label"].str.strip()
    usable = truth[truth["text"].str.strip() != ""]
    usable = usable[~usable.duplicated(["text", "label"])]
    assert isinstance(insp, StreamedInspection)
    assert insp.rows == len(usable) == len(truth) - 2
    assert insp.labels == usable["label"].value_counts().sort_index().to_dict()


def test_choices_apply_to_rows_past_the_sample(big, streaming):
    fixes = {"duplicate": "keep", "conflicting_label": "exclude", "placeholder": "exclude"}
    streamed, full = inspect_file(big, fixes=fixes), whole(big, fixes=fixes)
    assert problems(streamed) == problems(full)
    assert [(e["row"], e["reason"]) for e in streamed.excluded] == [
        (30_001, "empty_text"), (30_003, "placeholder"), (30_005, "conflicting_label"),
        (30_006, "conflicting_label")]
    # Cells of the first 3 excluded rows are listed (EXCLUDED_DATA_ROWS), the others by reason.
    assert [e["data"] is not None for e in streamed.excluded] == [True, True, True, False]
    assert streamed.excluded[:3] == full.excluded[:3]


def test_a_job_loads_the_same_split_from_a_streamed_file(big, streaming):
    cfg = JobConfig()
    cfg.data.train_file = str(big)
    job = load_job_data(cfg)
    stream.STREAM_BYTES = 1 << 50
    frames.FRAMES.clear()
    reference = load_job_data(cfg)
    assert isinstance(job.inspection, StreamedInspection)
    assert job.train.equals(reference.train) and job.validation.equals(reference.validation)
    assert job.labels == reference.labels == ["negative", "neutral", "positive"]
    assert len(job.train) + len(job.validation) == job.inspection.rows
    # The texts are held once, as arrow strings, not as Python objects.
    assert job.train["text"].dtype != object


def test_a_ragged_row_past_the_sample_reads_the_file_whole(tmp_path, streaming):
    path = tmp_path / "ragged.csv"
    write_rows(path, 10_000, tail=["10001,lonely"])
    with pytest.raises(DataError) as streamed:
        inspect_file(path)
    with pytest.raises(DataError) as full:
        whole(path)
    assert streamed.value.code == full.value.code == "ragged_rows"
    assert str(streamed.value) == str(full.value)


def test_text_spilled_past_the_sample_is_joined_as_in_a_whole_read(tmp_path, streaming):
    path = tmp_path / "spilled.csv"
    write_rows(path, 10_000, tail=["10001,great, really great,positive"])
    streamed, full = inspect_file(path), whole(path)
    assert not isinstance(streamed, StreamedInspection)      # read whole after all
    assert problems(streamed) == problems(full)
    assert {p.kind: p.rows for p in streamed.problems}["unnamed_columns"] == [10_001]


def test_a_non_utf8_byte_past_the_sample_sets_the_encoding(tmp_path, streaming):
    path = tmp_path / "latin.csv"
    write_rows(path, 10_000, tail=['10001,"café crème",positive'], encoding="cp1252")
    streamed, full = inspect_file(path), whole(path)
    assert isinstance(streamed, StreamedInspection)
    assert streamed.encoding == full.encoding == "cp1252"
    assert streamed.rows == full.rows and streamed.labels == full.labels
    assert streamed.examples["text"].iloc[-1] == "café crème"


def test_a_tsv_and_a_row_limit_stream_too(tmp_path, streaming):
    path = tmp_path / "reviews.tsv"
    write_rows(path, 10_000, sep="\t")
    streamed, full = inspect_file(path, max_rows=6_000), whole(path, max_rows=6_000)
    assert isinstance(streamed, StreamedInspection)
    assert streamed.rows == full.rows == 6_000 and streamed.labels == full.labels
    assert streamed.details == full.details == {"delimiter": "\t", "header": True}


def test_the_file_is_never_read_whole(big, streaming, monkeypatch):
    reads = []
    real = frames.read_any
    monkeypatch.setattr(frames, "read_any",
                        lambda path, **kw: reads.append(kw["limit"]) or real(path, **kw))
    insp = inspect_file(big)
    assert reads == [2_000] and insp.rows == 30_004


def test_a_changed_choice_reuses_the_scan(big, streaming, monkeypatch):
    passes = []
    real = stream.batches
    monkeypatch.setattr(stream, "batches",
                        lambda *a, **kw: passes.append(a[3]) or real(*a, **kw))
    first = inspect_file(big)
    again = inspect_file(big, fixes={"duplicate": "keep"})
    # One pass over the role columns, one for the cells of the excluded rows past the sample.
    assert passes == [["text", "label"], ["id", "text", "label"]]
    assert first.rows + 1 == again.rows and again.excluded == first.excluded[:1]
    inspect_file(big, roles={"text": "id", "label": "label"})
    assert passes[2:] == [["id", "label"]]           # other columns: a new pass


def test_fast_utf8_check_agrees_with_decoding(tmp_path):
    text = "héllo wörld 中文 😀 ok\n" * 3000
    path = tmp_path / "u.txt"
    path.write_bytes(text[:300].encode())
    for chunk in (1, 2, 3, 5, 7):                   # blocks that split characters
        assert encodings.first_undecodable(path, "utf-8", chunk=chunk) is None
    path.write_bytes(text.encode())
    assert encodings.first_undecodable(path, "utf-8", chunk=4096) is None
    bad = text.encode() + b"\xe9 caf\n"
    path.write_bytes(bad)
    assert encodings.first_undecodable(path, "utf-8") == len(text.encode())
    path.write_bytes("中文".encode()[:-1])            # cut inside the last character
    assert encodings.first_undecodable(path, "utf-8") is not None


# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child of a big pytest process
# would start at its parent's peak.
MEASURE = textwrap.dedent("""
    import json, re, sys
    sys.path.insert(0, {root!r})
    from studio.data import stream
    from studio.data.pipeline import inspect_file
    stream.STREAM_BYTES = {threshold}
    stream.SAMPLE_ROWS = 2_000
    stream.BLOCK_BYTES = 1 << 18          # pyarrow reads a few blocks ahead: keep them small

    def peak_kb():
        with open("/proc/self/status") as f:
            return int(re.search(r"VmHWM:\\s+(\\d+)", f.read()).group(1))

    before = peak_kb()
    insp = inspect_file({path!r})
    grew = peak_kb() - before
    print(json.dumps({{"grew_mb": grew / 1024, "rows": insp.rows, "labels": insp.labels}}))
""")


def peak_growth(path: Path, threshold: int) -> dict:
    code = MEASURE.format(root=str(ROOT), threshold=threshold, path=str(path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
@pytest.mark.heavy
def test_inspecting_20_mb_streams_in_bounded_memory(tmp_path):
    """Peak memory, measured in fresh processes, both files past the 2,000-row sample. The whole
    read grows with the text (about 4 MB per MB of file); streaming keeps a few hundred bytes per
    row (hashes, label codes, their checks), so five times the file costs it a fraction of
    that, and its peak stays well under the whole read's."""
    small, large = tmp_path / "four.csv", tmp_path / "twenty.csv"
    write_rows(small, 10_000, tail=TAIL[:1], words=(40, 120))      # review-length texts
    write_rows(large, 50_000, tail=TAIL[:1], words=(40, 120))
    grown = large.stat().st_size / 2**20 - small.stat().st_size / 2**20
    assert 15 < grown < 20 < large.stat().st_size / 2**20
    small_streamed = peak_growth(small, 1 << 20)
    streamed, full = peak_growth(large, 1 << 20), peak_growth(large, 1 << 50)
    assert streamed["rows"] == full["rows"] == 50_000
    assert streamed["labels"] == full["labels"]
    per_mb_streamed = (streamed["grew_mb"] - small_streamed["grew_mb"]) / grown
    per_mb_whole = (full["grew_mb"] - small_streamed["grew_mb"]) / grown
    measured = (small_streamed["grew_mb"], streamed["grew_mb"], full["grew_mb"])
    print("peak growth MB (4 MB streamed, 20 MB streamed, 20 MB whole):", measured)
    assert per_mb_streamed < 0.6 * per_mb_whole, measured
    # pyarrow's reader threads read ahead a varying number of 4 MB blocks, so the streamed
    # peak moves with the machine's load (86 MB alone, 110 MB inside the full suite, against
    # 144-154 MB whole); the per-MB slope above is the check that scales.
    assert streamed["grew_mb"] < 0.8 * full["grew_mb"], measured


def test_the_first_examples_come_without_reading_every_row(big, streaming):
    insp = inspect_file(big)
    head = insp.head_examples(50)
    assert insp.__dict__.get("_examples") is None  # the whole set was not read for them
    assert head.reset_index(drop=True).equals(whole(big).examples.head(50).reset_index(drop=True))
