"""Export: the preference pairs load with `datasets` (what TRL and LLaMA-Factory use) with one
row per decisive vote; the CSV keeps every vote; `python -m studio ratings` prints and exports."""
from __future__ import annotations

import csv
import json

import pytest

from conftest import run_cli
from studio.ratings import Rating, RatingStore
from studio.ratings.export import export

VOTES = [("a", "Name a colour", "blue", "banana"), ("b", "Two plus two?", "5", "4"),
         ("tie", "Say hi", "hi", "hello"), ("both_bad", "Capital of France?", "Rome", "Lima"),
         ("a", "Opposite of hot?", "cold", "warm")]


def fill(workspace) -> RatingStore:
    store = RatingStore(workspace)
    for i, (vote, prompt, a, b) in enumerate(VOTES):
        store.add(Rating(prompt=prompt, run_a="run-x" if i != 4 else "base:tiny-gpt",
                         run_b="base:tiny-gpt" if i != 4 else "run-x", answer_a=a, answer_b=b,
                         vote=vote, shown_first="ab"[i % 2]))
    return store


def test_pairs_load_with_datasets_one_row_per_decisive_vote(tmp_path):
    from datasets import load_dataset
    store = fill(tmp_path / "ws")
    out = export(store.list(), tmp_path / "pairs.jsonl")
    assert (out.rows, out.left_out) == (3, 2)  # the tie and the both-bad vote are left out
    data = load_dataset("json", data_files=str(tmp_path / "pairs.jsonl"), split="train")
    assert data.column_names == ["prompt", "chosen", "rejected"]
    assert data.to_list() == [
        {"prompt": "Name a colour", "chosen": "blue", "rejected": "banana"},
        {"prompt": "Two plus two?", "chosen": "4", "rejected": "5"},
        {"prompt": "Opposite of hot?", "chosen": "cold", "rejected": "warm"}]


def test_csv_keeps_every_vote(tmp_path):
    store = fill(tmp_path / "ws")
    out = export(store.list(), tmp_path / "votes.csv")
    with open(tmp_path / "votes.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert out.rows == len(rows) == 5
    assert [r["vote"] for r in rows] == ["a", "b", "tie", "both_bad", "a"]
    assert rows[1]["shown_first"] == "b" and rows[3]["answer_b"] == "Lima"


@pytest.mark.heavy
def test_cli_prints_each_pair_and_exports(tmp_path):
    ws = tmp_path / "ws"
    fill(ws)
    done = run_cli("ratings", "--workspace", str(ws), "--json", "--export",
                   str(tmp_path / "p.jsonl"))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    [pair] = doc["pairs"]
    assert (pair["name_a"], pair["name_b"]) == ("base:tiny-gpt", "run-x")  # the winner first
    assert (pair["wins"], pair["losses"], pair["ties"], pair["both_bad"], pair["ratings"]) == \
        (2, 1, 1, 1, 5)
    assert doc["export"]["rows"] == 3 and doc["export"]["left_out"] == 2
    assert len((tmp_path / "p.jsonl").read_text().splitlines()) == 3
    text = run_cli("ratings", "--workspace", str(ws), "--export", str(tmp_path / "v.csv"))
    assert text.returncode == 0, text.stderr
    assert "base:tiny-gpt vs run-x: 2-1, 1 ties, 1 both bad" in text.stdout
    assert "base:tiny-gpt wins 66.7% of decisive votes against run-x" in text.stdout
    assert "wrote 5 rows to" in text.stdout
    empty = run_cli("ratings", "--workspace", str(tmp_path / "none"))
    assert empty.returncode == 0 and "No ratings yet" in empty.stdout
