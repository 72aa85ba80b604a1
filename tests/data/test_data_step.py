"""components/data_step.py over the data engine: handlers return {output name: value}, the
unnamed-columns choice reaches the data state, and a role change reuses the parsed frame."""
from __future__ import annotations

import pandas as pd

from components import data_step
from data_helpers import fx
from studio.data import frames


def test_outputs_are_named_and_the_state_keeps_its_keys():
    out = data_step.inspect_data(fx("checks.csv"), "", "auto", {}, "en")
    assert set(out) == set(data_step.OUTPUTS)
    state = out["state"]
    assert set(state) == {"path", "validation_path", "roles", "overrides", "task", "rows",
                          "labels", "layout", "valid", "unnamed_columns", "chinese"}
    assert (state["task"], state["rows"], state["valid"]) == ("classification", 9, True)
    assert state["unnamed_columns"] == "join" and state["overrides"] == {}
    assert isinstance(out["table"]["value"], pd.DataFrame)
    assert out["role_label"]["value"] == "label" and out["role_system"]["value"] == ""
    assert out["unnamed"]["visible"] is False          # nothing spilled: no choice to offer


def test_spilled_file_offers_the_choice_and_it_reaches_the_state():
    out = data_step.inspect_data(fx("spilled.csv"), "", "auto", {}, "zh-CN")
    assert out["unnamed"] == {"__type__": "update", "value": "join", "visible": True}
    assert "已拼回列 text" in out["problems"] and out["state"]["rows"] == 5
    out = data_step.inspect_data(fx("spilled.csv"), "", "auto", {}, "en", unnamed="exclude")
    assert out["state"]["unnamed_columns"] == "exclude" and out["state"]["rows"] == 3
    assert "were excluded" in out["problems"]


def test_empty_and_broken_files_clear_every_output(tmp_path):
    assert set(data_step.empty_result("en")) == set(data_step.OUTPUTS)
    bad = tmp_path / "bad.json"
    bad.write_text("[{")
    out = data_step.inspect_data(str(bad), "", "auto", {}, "en")
    assert out["state"] == {} and "not valid JSON" in out["summary"]


def test_role_change_reuses_the_parsed_frame(monkeypatch):
    reads = []
    real = frames.read_any
    monkeypatch.setattr(frames, "read_any",
                        lambda path, **kw: reads.append(path) or real(path, **kw))
    frames.FRAMES.clear()
    first = data_step.inspect_data(fx("checks.csv"), "", "auto", {}, "en")["state"]
    roles_now = [first["roles"].get(r, "") for r in data_step.ROLES]
    roles_now[data_step.ROLES.index("text")] = "label"
    roles_now[data_step.ROLES.index("label")] = "text"
    overrides = data_step.overrides_from(roles_now, first)
    assert overrides == {"text": "label", "label": "text"}
    again = data_step.inspect_data(fx("checks.csv"), "", "auto", overrides, "en")["state"]
    assert again["roles"] == {"text": "label", "label": "text"} and len(reads) == 1
    frames.FRAMES.clear()


def test_roles_are_the_engine_role_table():
    from studio.data import ROLE_FIELDS
    assert data_step.ROLES == tuple(ROLE_FIELDS)
    assert {f"role_{r}" for r in ROLE_FIELDS} <= set(data_step.OUTPUTS)
