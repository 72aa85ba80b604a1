"""The votes out of the studio: preference pairs for preference training, and every vote as CSV.

Pairs are JSON lines of {"prompt", "chosen", "rejected"}: TRL's DPOTrainer reads that
"standard" preference format directly and LLaMA-Factory reads it with a dataset_info.json entry
(ranking: true, columns prompt/chosen/rejected). Only decisive votes become pairs: a tie or
"both bad" names no chosen answer, so those votes are left out (the count is returned so the
caller can say so). The CSV keeps every vote, ties and both-bad included.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

CSV_COLUMNS = ("time", "owner", "session", "prompt", "run_a", "run_b", "shown_first", "vote",
               "answer_a", "answer_b")


@dataclass
class Exported:
    path: str
    rows: int          # lines or CSV rows written
    left_out: int      # votes not written (ties and both bad, for pairs)


def preference_pairs(ratings) -> tuple[list[dict], int]:
    """(pairs, how many votes were left out as ties or both bad)."""
    pairs, left_out = [], 0
    for r in ratings:
        if r.vote not in ("a", "b"):
            left_out += 1
            continue
        chosen, rejected = (r.answer_a, r.answer_b) if r.vote == "a" else \
            (r.answer_b, r.answer_a)
        pairs.append({"prompt": r.prompt, "chosen": chosen, "rejected": rejected})
    return pairs, left_out


def write_pairs(ratings, path: str | Path) -> Exported:
    pairs, left_out = preference_pairs(ratings)
    with open(path, "w", encoding="utf-8") as f:
        for pair in pairs:
            f.write(json.dumps(pair, ensure_ascii=False) + "\n")
    return Exported(str(path), len(pairs), left_out)


def write_votes_csv(ratings, path: str | Path) -> Exported:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for r in ratings:
            writer.writerow({c: getattr(r, c) for c in CSV_COLUMNS})
    return Exported(str(path), len(ratings), 0)


def export(ratings, path: str | Path) -> Exported:
    """By the file's ending: .csv -> every vote; anything else -> preference pairs JSONL."""
    if Path(path).suffix.lower() == ".csv":
        return write_votes_csv(ratings, path)
    return write_pairs(ratings, path)
