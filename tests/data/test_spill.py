"""studio.data.spill: text that unquoted delimiters split into unnamed trailing columns is
joined back (default) or its rows are excluded; never is only the first piece kept."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from data_helpers import excluded, fx, kinds
from studio.config import JobConfig
from studio.data.frames import read_table
from studio.data.pipeline import inspect_file, load_job_data
from studio.data.spill import find_spill, realign, rejoin_spilled, unnamed_trailing


def test_unnamed_trailing_only_counts_columns_after_the_last_named_one():
    frame = pd.DataFrame(columns=["Unnamed: 0", "text", "label", "Unnamed: 3", "column_5"])
    assert unnamed_trailing(frame, {}) == []                    # column_5 has a name
    assert unnamed_trailing(frame, {"unnamed": ["column_5"]}) == ["Unnamed: 3", "column_5"]
    assert unnamed_trailing(frame.iloc[:, :4], {}) == ["Unnamed: 3"]   # not the index column
    assert unnamed_trailing(pd.DataFrame(columns=["a", "b"]), {"unnamed": ["a"]}) == []


def test_find_spill_picks_the_longest_named_column():
    frame = pd.DataFrame({"text": ["a long review", "short, and", "another long one"],
                          "label": ["pos", " sweet", "neg"], "column_3": [None, "pos", None]})
    spill = find_spill(frame, {"unnamed": ["column_3"], "padded": True, "delimiter": ","})
    assert spill.target == "text" and spill.extra == ["column_3"]
    assert spill.rows.tolist() == [False, True, False]
    assert find_spill(frame.head(1), {"unnamed": ["column_3"], "padded": True}) is None


def test_without_telling_names_repeating_values_show_where_the_text_was():
    # Clean rows alone would point at `mark` (as varied as `words`, and longer) ...
    frame = pd.DataFrame({"words": ["hi", "hi", "yo", "yo", "hi", "yo"],
                          "mark": ["good", "poor", "good", "poor", " there", " you"],
                          "column_3": [None, None, None, None, "good", "poor"]})
    spill = find_spill(frame, {"unnamed": ["column_3"], "padded": True})
    # ... but only `words` as the split column puts known marks back in place.
    assert spill.target == "words" and spill.rows.tolist() == [False] * 4 + [True] * 2
    fixed, _, _ = rejoin_spilled(frame, {"unnamed": ["column_3"], "padded": True}, None)
    assert fixed.values.tolist()[4:] == [["hi, there", "good"], ["yo, you", "poor"]]
    # free text after the split: no evidence, so the longest, most varied column is the text
    texty = frame.assign(mark=["a long one", "more words", "another", "long again", " z", " q"],
                         column_3=[None, None, None, None, "r", "s"])
    assert find_spill(texty, {"unnamed": ["column_3"], "padded": True}).target == "mark"


@pytest.mark.parametrize("cells,width,at,padded,expected", [
    (["1", "too", "many", "fields"], 2, 1, True, ["1", "too,many,fields"]),
    (["hello", " world", "pos", None], 2, 0, True, ["hello, world", "pos"]),
    (["no label", " here", ""], 2, 0, True, ["no label, here", ""]),     # "" is a real field
    (["neg", "Bad", " really", ""], 2, 1, False, ["neg", "Bad, really"]),   # "" is padding
    (["a", "b", None], 2, 1, True, ["a", "b"]),
])
def test_realign(cells, width, at, padded, expected):
    assert realign(cells, width, at, ",", padded) == expected


def test_rejoin_spilled_join_and_exclude():
    frame = pd.DataFrame({"label": ["1", "0"], "text": ["ok", "a"], "column_3": [None, "b"]})
    info = {"unnamed": ["column_3"], "padded": True, "delimiter": "\t"}
    joined, reasons, problems = rejoin_spilled(frame, info, None)
    assert joined.values.tolist() == [["1", "ok"], ["0", "a\tb"]] and reasons is None
    assert [(p.kind, p.action, p.rows, p.params["column"]) for p in problems] == \
        [("unnamed_columns", "fixed", [2], "text")]
    assert "tab" in problems[0].message
    kept, reasons, problems = rejoin_spilled(frame, info, {"unnamed_columns": "exclude"})
    assert reasons.tolist() == [None, "unnamed_columns"] and problems[0].action == "excluded"
    assert list(kept.columns) == ["label", "text"]
    assert frame.columns.tolist() == ["label", "text", "column_3"]        # input untouched


def test_nothing_spilled_leaves_the_frame_as_it_is():
    frame = pd.DataFrame({"label": ["1"], "text": ["ok"]})
    out, reasons, problems = rejoin_spilled(frame, {"delimiter": ","}, None)
    assert out is frame and reasons is None and problems == []


# ---- through the pipeline -------------------------------------------------------------------

def test_spilled_text_joined_back_by_default():
    insp = inspect_file(fx("spilled.csv"))
    assert insp.columns == ["label", "text"] and insp.rows == 5 and excluded(insp) == []
    assert insp.examples["text"].tolist() == ["Loved it", "Slow, long, and dull", "Fine",
                                              "Bad, really", "Great cast"]
    (p,) = [p for p in insp.problems if p.kind == "unnamed_columns"]
    assert (p.action, p.count, p.rows) == ("fixed", 2, [2, 4])
    assert p.message.startswith("2 rows have text in unnamed columns column_3..column_4; "
                                "joined back into column text")


def test_spilled_rows_excluded_when_chosen():
    insp = inspect_file(fx("spilled.csv"), unnamed_columns="exclude")
    assert insp.rows == 3 and excluded(insp) == [(2, "unnamed_columns"), (4, "unnamed_columns")]
    assert insp.excluded[0]["data"] == {"label": "neg", "text": "Slow, long, and dull"}
    assert kinds(insp)["unnamed_columns"] == ("excluded", 2, [2, 4])
    assert insp.examples["text"].tolist() == ["Loved it", "Fine", "Great cast"]


def test_text_in_the_middle_is_realigned_and_an_empty_label_stays_empty():
    insp = inspect_file(fx("spilled_middle.csv"))
    assert insp.roles == {"text": "review", "label": "stars"}
    assert insp.frame.values.tolist() == [["nice film", "5"], ["slow start, strong end", "4"],
                                          ["so so", "3"], ["no stars, no label", ""],
                                          ["weak", "1"]]
    assert excluded(insp) == [(4, "missing_label")]


def test_pandas_unnamed_columns_joined_back():
    insp = inspect_file(fx("unnamed_pandas.csv"))
    assert insp.columns == ["label", "text"]
    assert insp.examples["text"].tolist()[1::2] == ["Slow, long, and dull", "Bad, really"]
    assert kinds(insp)["unnamed_columns"][1:] == (2, [2, 4])
    assert "Unnamed: 2..Unnamed: 3" in insp.problems[0].message


def test_exclusion_comes_before_the_other_checks(tmp_path):
    """An excluded spilled row is not the 'first' of a duplicate pair."""
    path = tmp_path / "d.csv"
    path.write_text("label,text\npos,good, fun\npos,good, fun\nneg,bad\nneg,worse\n")
    insp = inspect_file(path, unnamed_columns="exclude")
    assert excluded(insp) == [(1, "unnamed_columns"), (2, "unnamed_columns")]
    joined = inspect_file(path)
    assert excluded(joined) == [(2, "duplicate")]


def test_job_setting_reaches_load_job_data(tmp_path):
    path = tmp_path / "job.csv"
    path.write_text("label,text\npos,a, b\nneg,c\npos,d\nneg,e, f\npos,g\nneg,h\n")
    cfg = JobConfig()
    cfg.data.train_file = str(path)
    cfg.data.validation_fraction = 0.0
    job = load_job_data(cfg)
    assert job.train["text"].tolist() == ["a, b", "c", "d", "e, f", "g", "h"]
    cfg.data.unnamed_columns = "exclude"
    job = load_job_data(cfg)
    assert job.train["text"].tolist() == ["c", "d", "g", "h"]
    assert [(e["row"], e["reason"]) for e in job.inspection.excluded] == \
        [(1, "unnamed_columns"), (4, "unnamed_columns")]


def test_cli_inspect_prints_the_message():
    out = run_cli("inspect", fx("spilled.csv"))
    assert out.returncode == 0, out.stderr
    assert "[fixed] 2 rows have text in unnamed columns column_3..column_4; joined back into " \
           "column text" in out.stdout
    assert "5 usable rows" in out.stdout


def test_preview_keeps_the_join(tmp_path):
    frame = pd.DataFrame({"label": ["1"] * 3, "text": ["a", "b", "c"]})
    text = frame.to_csv(index=False) + "0,d, e\n"
    (tmp_path / "p.csv").write_text(text)
    insp = inspect_file(tmp_path / "p.csv", max_rows=4)
    assert insp.examples["text"].tolist()[-1] == "d, e"
    assert np.array_equal(insp.examples["_row"], [1, 2, 3, 4])


TEXT = st.text(st.sampled_from(list("abc ,")), min_size=1, max_size=12).filter(
    lambda t: any(c.isalpha() for c in t))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["pos", "neg"]), TEXT), min_size=1, max_size=8),
       st.booleans())
def test_unquoted_commas_never_cut_a_text(rows, text_first):
    """Whatever the commas, each row comes back whole, in its own columns."""
    header = "text,label" if text_first else "label,text"
    lines = [f"{t},{lab}" if text_first else f"{lab},{t}" for lab, t in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.csv"
        path.write_text(header + "\n" + "\n".join(lines) + "\n")
        frame, info = read_table(path)
    fixed, reasons, problems = rejoin_spilled(frame, info, None)
    assert fixed["text"].tolist() == [t for _, t in rows]
    assert fixed["label"].tolist() == [lab for lab, _ in rows]
    spilled = [i + 1 for i, (_, t) in enumerate(rows) if "," in t]
    assert [p.rows for p in problems] == ([spilled[:5]] if spilled else [])
    assert reasons is None
