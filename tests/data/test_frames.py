"""studio.data.frames: the read stage and its cache of parsed frames."""
from __future__ import annotations

import os

import pandas as pd
import pytest

from data_helpers import fx
from studio.data import frames
from studio.data.frames import FrameCache, file_key, read_table


@pytest.fixture
def reads(monkeypatch):
    """Count the reader's calls; start from an empty cache."""
    calls = []
    real = frames.read_any

    def counting(path, **kw):
        calls.append(str(path))
        return real(path, **kw)

    monkeypatch.setattr(frames, "read_any", counting)
    frames.FRAMES.clear()
    yield calls
    frames.FRAMES.clear()


def test_second_read_comes_from_the_cache(reads):
    first, info = read_table(fx("basic.csv"))
    again, info2 = read_table(fx("basic.csv"))
    assert len(reads) == 1
    assert again.equals(first) and info2 == info
    read_table(fx("basic.csv"), nrows=2)          # another parse: another key
    read_table(fx("basic.csv"), encoding="utf-8")
    assert len(reads) == 3


def test_an_edited_file_is_read_again(reads, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("label,text\n1,a\n")
    assert read_table(path)[0]["text"].tolist() == ["a"]
    path.write_text("label,text\n1,a\n0,b\n")
    os.utime(path, ns=(1, 1))                     # even with an old timestamp: size differs
    assert read_table(path)[0]["text"].tolist() == ["a", "b"]
    assert len(reads) == 2


def test_callers_cannot_change_the_cached_frame(reads):
    frame, info = read_table(fx("basic.csv"))
    frame["text"] = "changed"
    frame["extra"] = 1
    info["delimiter"] = "?"
    again, info2 = read_table(fx("basic.csv"))
    assert again["text"][0] == "Great film, would watch again" and "extra" not in again
    assert info2["delimiter"] == ","


def test_lru_bound_on_entries_and_bytes():
    cache = FrameCache(max_entries=2, max_bytes=100)
    df = pd.DataFrame({"a": [1]})
    cache.put(("a",), df, {}, 10)
    cache.put(("b",), df, {}, 10)
    assert cache.get(("a",)) is not None          # "a" is now the most recent
    cache.put(("c",), df, {}, 10)
    assert cache.get(("b",)) is None and len(cache) == 2
    cache.put(("big",), df, {}, 101)              # larger than the whole budget: not kept
    assert cache.get(("big",)) is None
    cache.put(("d",), df, {}, 95)                 # evicts older entries to fit the bytes
    assert cache.get(("d",)) is not None and len(cache) == 1


def test_no_key_for_hub_ids_and_missing_files(tmp_path):
    assert file_key("hf:owner/name", "", "", 0, None) is None
    assert file_key(tmp_path / "nope.csv", "", "", 0, None) is None
    key = file_key(fx("basic.csv"), "", "", 5, True)
    assert key[0].endswith("basic.csv") and key[3:] == ("", "", 5, True)


def test_upload_limit_holds_for_cached_frames(reads, monkeypatch):
    from studio.errors import DataError
    read_table(fx("checks.csv"))
    monkeypatch.setenv("STUDIO_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(DataError) as e:
        read_table(fx("checks.csv"))
    assert e.value.code == "file_too_large"
