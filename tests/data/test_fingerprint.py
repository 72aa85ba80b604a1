"""studio.data.fingerprint: same bytes, same fingerprint; any change, another."""
from __future__ import annotations

from studio.data.fingerprint import of_files


def test_same_bytes_same_fingerprint(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "other" / "a.csv"
    b.parent.mkdir()
    a.write_text("label,text\n1,x\n")
    b.write_text("label,text\n1,x\n")
    fp = of_files(str(a))
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert of_files(str(b)) == fp                       # the folder does not matter
    b.write_text("label,text\n1,y\n")
    assert of_files(str(b)) != fp


def test_order_names_and_empty_paths(tmp_path):
    a, v = tmp_path / "train.csv", tmp_path / "val.csv"
    a.write_text("x")
    v.write_text("y")
    assert of_files(str(a), str(v)) != of_files(str(v), str(a))
    assert of_files(str(a), "") == of_files(str(a))
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("x")
    assert of_files(str(renamed)) != of_files(str(a))   # the name is part of it


def test_hub_dataset_pinned_by_its_name():
    assert of_files("hf:owner/name") == of_files("hf:owner/name")
    assert of_files("hf:owner/name") != of_files("hf:owner/other")
