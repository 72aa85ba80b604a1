"""studio.data.overlap: the same input in training and validation, and validation labels that
training never saw."""
from __future__ import annotations

import pandas as pd

from data_helpers import fx, kinds
from studio.config import JobConfig
from studio.data.overlap import move_overlap_back
from studio.data.pipeline import inspect_file, load_job_data


def test_train_val_overlap_flagged_in_inspection():
    insp = inspect_file(fx("checks.csv"), validation_path=fx("checks_val.csv"))
    assert kinds(insp)["train_val_overlap"] == ("excluded", 1, [1])


def test_load_job_data_with_validation_file():
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_file = fx("checks.csv"), fx("checks_val.csv")
    job = load_job_data(cfg)
    assert job.task == "classification" and job.labels == ["negative", "neutral", "positive"]
    assert len(job.train) == 9
    # "good movie" is in training (left out); NEGATIVE spelled as training spells it
    assert job.validation["text"].tolist() == ["brand new text", "another new one", "new neutral"]
    assert job.validation["label"].tolist() == ["negative", "negative", "neutral"]
    assert [e["row"] for e in job.validation_inspection.excluded] == [1]


def test_unseen_validation_labels_left_out(tmp_path):
    val = tmp_path / "val.csv"
    val.write_text("label,text\nPOSITIVE,fresh one\nmaybe,unsure text\nnegative,other one\n")
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_file = fx("checks.csv"), str(val)
    job = load_job_data(cfg)
    assert job.validation["label"].tolist() == ["positive", "negative"]
    v = job.validation_inspection
    assert [(e["row"], e["reason"]) for e in v.excluded] == [(2, "unseen_label")]
    assert kinds(v)["unseen_label"] == ("excluded", 1, [2])
    assert v.rows == 2 and v.labels == {"negative": 1, "positive": 1}


def test_move_overlap_back_to_training():
    from studio.data.pipeline import Inspection
    train = pd.DataFrame({"prompt": ["a", "b"], "response": ["1", "2"], "_row": [1, 3]})
    val = pd.DataFrame({"prompt": ["b", "c"], "response": ["9", "3"], "_row": [2, 4]})
    insp = Inspection("f", "csv", "", "pairs", [], {}, "text2text", {}, 4, [], [],
                      frame=pd.DataFrame(), examples=pd.DataFrame())
    train, val = move_overlap_back(insp, train, val, "text2text")
    assert train["_row"].tolist() == [1, 2, 3] and val["_row"].tolist() == [4]
    assert [(p.kind, p.action, p.rows) for p in insp.problems] == \
        [("train_val_overlap", "fixed", [2])]


def test_load_job_data_split_moves_overlap_back_to_training(tmp_path):
    path = tmp_path / "t.csv"
    rows = [("a", f"text {i}") for i in range(20)] + [("b", f"text {i}") for i in range(20)]
    pd.DataFrame(rows, columns=["label", "text"]).to_csv(path, index=False)
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_fraction = str(path), 0.25
    job = load_job_data(cfg)
    assert not set(job.validation["text"]) & set(job.train["text"])
    assert len(job.train) + len(job.validation) == 40
