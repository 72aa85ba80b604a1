"""studio.data.encodings: detecting, checking and decoding text encodings."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from data_helpers import fx
from studio.data import encodings
from studio.data.frames import read_table
from studio.errors import DataError


def head(path) -> bytes:
    return Path(path).read_bytes()[:encodings.HEAD_BYTES]


@pytest.mark.parametrize("name,expected", [("basic.csv", "utf-8"), ("utf8_bom.csv", "utf-8-sig"),
                                           ("utf16.tsv", "utf-16"), ("gbk.csv", "gb18030"),
                                           ("cp1252.csv", "cp1252")])
def test_detect_encoding_of_fixtures(name, expected):
    assert encodings.detect_encoding(Path(fx(name)), head(fx(name))) == expected


def test_utf16_without_bom_and_binary(tmp_path):
    le = tmp_path / "le.txt"
    le.write_bytes("label\ttext\n1\thi\n".encode("utf-16-le"))
    assert encodings.detect_encoding(le, head(le)) == "utf-16-le"
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"ab\x00\x00\x00\x00cd\x01\x02" * 10)
    with pytest.raises(DataError) as e:
        encodings.detect_encoding(binary, head(binary))
    assert e.value.code == "binary_file"


def test_canonical_encoding_names():
    assert encodings.canonical_encoding("UTF8") == "utf-8"
    assert encodings.canonical_encoding("latin1") == "latin-1"
    with pytest.raises(DataError) as e:
        encodings.canonical_encoding("klingon")
    assert e.value.code == "unknown_encoding" and e.value.params["encoding"] == "klingon"


def test_first_undecodable_offset_and_scan_limit(tmp_path):
    path = tmp_path / "late.txt"
    path.write_bytes(b"a" * 100 + b"\xff" + b"b" * 10)
    assert encodings.first_undecodable(path, "utf-8") == 100
    assert encodings.first_undecodable(path, "utf-8", chunk=16, max_bytes=32) is None
    assert encodings.first_undecodable(path, "latin-1") is None


def test_read_head_text_strips_bom_and_says_if_whole(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"a,b\n1,2\n")
    assert encodings.read_head_text(path, "utf-8") == ("a,b\n1,2\n", True)
    assert encodings.read_head_text(path, "utf-8", nbytes=6) == ("a,b", False)


def test_encodings_decode_text():
    assert read_table(fx("gbk.csv"))[0]["文本"][0] == "这部电影非常好看，我很喜欢。"
    assert read_table(fx("cp1252.csv"))[0]["text"][0] == "Café crème – naïve “charm”"
    assert read_table(fx("utf16.tsv"))[0]["text"].tolist() == ["grüß dich", "你好"]
    assert read_table(fx("utf8_bom.csv"))[0].columns[0] == "label"      # no BOM in the name


def test_encoding_override_and_bad_encoding():
    frame, info = read_table(fx("cp1252.csv"), encoding="latin-1")
    assert info["encoding"] == "latin-1" and frame["text"][2] == "Señor \x80 5"
    with pytest.raises(DataError) as e:
        read_table(fx("gbk.csv"), encoding="utf-8")
    assert e.value.code == "bad_encoding" and e.value.params["byte"] > 0
    with pytest.raises(DataError) as e:
        read_table(fx("basic.csv"), encoding="klingon")
    assert e.value.code == "unknown_encoding"


def test_preview_checks_only_the_start_of_the_file(tmp_path):
    path = tmp_path / "late_latin1.csv"
    line = b"1,plain ascii text that goes on for a while to fill the file up\n"
    path.write_bytes(b"label,text\n" + line * 160_000 + b"0,caf\xe9\n")    # ~10 MB
    assert read_table(path, nrows=5)[1]["encoding"] == "utf-8"
    frame, info = read_table(path)
    assert info["encoding"] == "cp1252" and frame["text"].iloc[-1] == "café"
