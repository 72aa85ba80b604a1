"""Data ingestion: every fixture in tests/fixtures/data read to an exact outcome."""
from __future__ import annotations

import json
import os
import time

import pandas as pd
import pytest

from studio.config import JobConfig
from studio.data.pipeline import (DataError, Inspection, inspect_file, load_job_data, normalise, read_table,
                         split_validation)

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "data")


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def fx(name: str) -> str:
    return os.path.join(FIX, name)


def excluded(insp: Inspection) -> list[tuple[int, str]]:
    return [(e["row"], e["reason"]) for e in insp.excluded]


def kinds(insp: Inspection) -> dict[str, tuple[str, int, list[int]]]:
    return {p.kind: (p.action, p.count, p.rows) for p in insp.problems}


# ---- tables ---------------------------------------------------------------------------------

TABLES = [
    # file, format, encoding, columns, roles, task, rows
    ("basic.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 4),
    ("semicolon.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("no_header.tsv", "tsv", "utf-8", ["column_1", "column_2"],
     {"text": "column_2", "label": "column_1"}, "classification", 4),
    ("trailing_columns.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("blank_lines.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("excel_sep.csv", "csv", "utf-8", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("mixed_endings.tsv", "tsv", "utf-8", ["label", "sentence"],
     {"text": "sentence", "label": "label"}, "classification", 4),
    ("pairs.txt", "txt", "utf-8", ["column_1", "column_2"],
     {"prompt": "column_1", "response": "column_2"}, "text2text", 4),
    ("qa_any_names.csv", "csv", "utf-8", ["frage", "antwort"],
     {"prompt": "frage", "response": "antwort"}, "text2text", 3),
    ("source_target.csv", "csv", "utf-8", ["source", "target"],
     {"prompt": "source", "response": "target"}, "text2text", 3),
    ("table.parquet", "parquet", "", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("utf8_bom.csv", "csv", "utf-8-sig", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 2),
    ("utf16.tsv", "tsv", "utf-16", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 2),
    ("gbk.csv", "csv", "gb18030", ["标签", "文本"], {"text": "文本", "label": "标签"},
     "classification", 3),
    ("cp1252.csv", "csv", "cp1252", ["label", "text"], {"text": "text", "label": "label"},
     "classification", 3),
    ("array.json", "json", "utf-8", ["text", "label"], {"text": "text", "label": "label"},
     "classification", 3),
    ("wrapped.json", "json", "utf-8", ["text", "label"], {"text": "text", "label": "label"},
     "classification", 2),
    ("records.jsonl", "jsonl", "utf-8", ["prompt", "completion"],
     {"prompt": "prompt", "response": "completion"}, "text2text", 2),
]


@pytest.mark.parametrize("name,fmt,enc,columns,roles,task,rows", TABLES)
def test_tables_read_exactly(name, fmt, enc, columns, roles, task, rows):
    insp = inspect_file(fx(name))
    assert (insp.format, insp.encoding, insp.columns) == (fmt, enc, columns)
    assert insp.roles == roles
    assert insp.task == task
    assert insp.rows == rows == len(insp.examples)
    assert insp.excluded == []
    assert list(insp.examples["_row"]) == list(range(1, rows + 1))
    json.dumps(insp.to_dict())          # the UI and the CLI get plain JSON


def test_quoted_newlines_delimiters_quotes_and_blank_lines():
    frame, info = read_table(fx("basic.csv"))
    assert frame["text"].tolist() == ["Great film, would watch again",
                                      'Line one\r\nline two, with "quotes"', "Fine",
                                      "Dull and slow"]
    assert info["delimiter"] == "," and info["header"] is True and info["layout"] == "table"


def test_blank_and_whitespace_lines_are_not_rows():
    frame, _ = read_table(fx("blank_lines.csv"))
    assert frame["text"].tolist() == ["first", "second", "third"]
    frame, info = read_table(fx("excel_sep.csv"))
    assert info["delimiter"] == ";" and frame["text"].tolist() == ["a, b", "c", "d"]


def test_semicolon_sniffed_and_quoted_delimiter_kept():
    frame, info = read_table(fx("semicolon.csv"))
    assert info["delimiter"] == ";"
    assert frame["text"].tolist() == ["Gut, aber lang", "Schlecht; sehr", "Toll"]


def test_mixed_line_endings_keep_every_row():
    frame, _ = read_table(fx("mixed_endings.tsv"))
    assert frame.to_dict("records") == [
        {"label": "1", "sentence": "cr lf"}, {"label": "0", "sentence": "only cr"},
        {"label": "1", "sentence": "only lf"}, {"label": "0", "sentence": "end"}]


def test_no_header_first_row_is_data():
    frame, info = read_table(fx("no_header.tsv"))
    assert info["header"] is False
    assert frame.iloc[0].tolist() == ["0", "hide new secretions"]
    frame, info = read_table(fx("no_header.tsv"), header=True)   # the user can say otherwise
    assert list(frame.columns) == ["0", "hide new secretions"] and len(frame) == 3


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


def test_xlsx_sheets_and_cells():
    insp = inspect_file(fx("reviews.xlsx"), sheet="Reviews")
    assert insp.sheets == ["Notes", "Reviews"] and insp.format == "xlsx"
    assert insp.columns == ["label", "text"]              # trailing empty column dropped
    assert insp.examples["label"].tolist() == ["pos", "1", "neg", "pos"]
    assert insp.examples["text"].tolist()[3] == "Line\nbreak"
    first = inspect_file(fx("reviews.xlsx"))              # first sheet by default
    assert first.columns == ["column_1"] and first.sheets == ["Notes", "Reviews"]
    with pytest.raises(DataError) as e:
        read_table(fx("reviews.xlsx"), sheet="Nope")
    assert e.value.code == "missing_sheet" and e.value.params["sheets"] == ["Notes", "Reviews"]


def test_nrows_and_max_rows_stop_early():
    assert len(read_table(fx("basic.csv"), nrows=2)[0]) == 2
    assert len(read_table(fx("table.parquet"), nrows=2)[0]) == 2
    assert len(read_table(fx("records.jsonl"), nrows=1)[0]) == 1
    assert len(read_table(fx("reviews.xlsx"), sheet="Reviews", max_rows=3)[0]) == 3
    assert inspect_file(fx("checks.csv"), max_rows=4).rows == 4
    # a preview stops before a broken row further down; the full read reports it
    assert len(read_table(fx("ragged.csv"), nrows=2)[0]) == 2


def test_preview_of_large_file_is_fast(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w") as f:
        f.write("label,text\n")
        for i in range(200_000):
            f.write(f"{i % 3},row number {i} with some words in it\n")
    start = time.perf_counter()
    frame, _ = read_table(path, nrows=20)
    assert len(frame) == 20 and time.perf_counter() - start < 2.0


def test_preview_checks_only_the_start_of_the_file(tmp_path):
    path = tmp_path / "late_latin1.csv"
    line = b"1,plain ascii text that goes on for a while to fill the file up\n"
    path.write_bytes(b"label,text\n" + line * 160_000 + b"0,caf\xe9\n")    # ~10 MB
    assert read_table(path, nrows=5)[1]["encoding"] == "utf-8"
    frame, info = read_table(path)
    assert info["encoding"] == "cp1252" and frame["text"].iloc[-1] == "café"


# ---- chat layouts ---------------------------------------------------------------------------

def test_alpaca_to_messages():
    insp = inspect_file(fx("alpaca.json"))
    assert (insp.layout, insp.task) == ("alpaca", "chat")
    assert insp.roles == {"prompt": "instruction", "response": "output", "input": "input",
                          "system": "system", "history": "history"}
    msgs = insp.examples["messages"].tolist()
    assert msgs[0] == [{"role": "user", "content": "Translate to French\n\ncat"},
                       {"role": "assistant", "content": "chat"}]
    assert msgs[1][0] == {"role": "system", "content": "Be brief."}
    assert msgs[2] == [{"role": "user", "content": "Are you there?"},
                       {"role": "assistant", "content": "Yes."},
                       {"role": "user", "content": "And now?"},
                       {"role": "assistant", "content": "Still here."}]
    assert excluded(insp) == [(4, "empty_text")]
    assert kinds(insp)["placeholder"] == ("warning", 1, [5])


def test_alpaca_as_text2text():
    insp = inspect_file(fx("alpaca.json"), task="text2text")
    assert insp.examples[["prompt", "response"]].values.tolist()[:2] == [
        ["Translate to French\n\ncat", "chat"], ["Say hi", "Hi!"]]
    assert insp.examples["prompt"][2] == "User: Are you there?\n\nAssistant: Yes.\n\nUser: And now?"
    assert inspect_file(fx("alpaca.json"), family="t5").task == "text2text"


def test_openai_messages_with_parts_and_problems():
    insp = inspect_file(fx("messages.jsonl"))
    assert (insp.layout, insp.task, insp.rows) == ("messages", "chat", 3)
    msgs = insp.examples["messages"].tolist()
    assert msgs[1] == [{"role": "user", "content": "Describe"},
                       {"role": "assistant", "content": "A cat."}]
    assert msgs[2] == [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    assert excluded(insp) == [(3, "unknown_role"), (5, "no_assistant"), (6, "bad_messages")]
    k = kinds(insp)
    assert k["not_ending_with_assistant"] == ("fixed", 1, [4])
    assert k["non_text_content"] == ("warning", 1, [2])
    assert k["unknown_role"] == ("excluded", 1, [3])


def test_fixes_change_chat_actions():
    insp = inspect_file(fx("messages.jsonl"),
                        fixes={"unknown_role": "fix", "not_ending_with_assistant": "exclude"})
    assert excluded(insp) == [(4, "not_ending_with_assistant"), (5, "no_assistant"),
                              (6, "bad_messages")]
    assert insp.examples["messages"][2] == [{"role": "user", "content": "Use the tool"},
                                            {"role": "assistant", "content": "It says 42."}]


def test_sharegpt_roles_mapped_and_system_column():
    insp = inspect_file(fx("sharegpt.json"))
    assert (insp.layout, insp.task, insp.rows) == ("sharegpt", "chat", 2)
    first, second = insp.examples["messages"].tolist()
    assert first == [{"role": "system", "content": "Be kind."},
                     {"role": "user", "content": "Hello"},
                     {"role": "assistant", "content": "Hi there"}]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user", "assistant"]


def test_system_prompt_added_where_missing():
    insp = inspect_file(fx("sharegpt.json"), system_prompt="Default.")
    first, second = insp.examples["messages"].tolist()
    assert first[0]["content"] == "Be kind." and second[0]["content"] == "Pirate mode"
    pairs = inspect_file(fx("pairs.txt"), task="chat", system_prompt="Translate.")
    assert pairs.examples["messages"][0] == [{"role": "system", "content": "Translate."},
                                             {"role": "user", "content": "Go."},
                                             {"role": "assistant", "content": "Va !"}]


def test_messages_in_parquet():
    insp = inspect_file(fx("messages.parquet"))
    assert (insp.layout, insp.rows) == ("messages", 2)
    assert insp.examples["messages"][1] == [{"role": "user", "content": "Ping"},
                                            {"role": "assistant", "content": "Pong"}]


def test_messages_column_holding_json_strings(tmp_path):
    path = tmp_path / "chat.csv"
    pd.DataFrame({"messages": [json.dumps([{"role": "user", "content": "a, b"},
                                           {"role": "assistant", "content": "c"}])] * 2,
                  "id": [1, 2]}).to_csv(path, index=False)
    insp = inspect_file(path)
    assert insp.layout == "messages" and insp.rows == 1 and excluded(insp) == [(2, "duplicate")]


# ---- checks ---------------------------------------------------------------------------------

def test_checks_default_actions():
    insp = inspect_file(fx("checks.csv"))
    assert excluded(insp) == [(5, "empty_text"), (6, "missing_label"), (7, "duplicate")]
    assert kinds(insp) == {
        "label_whitespace": ("fixed", 1, [3]), "label_case": ("fixed", 1, [4]),
        "missing_label": ("excluded", 1, [6]), "empty_text": ("excluded", 1, [5]),
        "duplicate": ("excluded", 1, [7]), "conflicting_label": ("warning", 2, [1, 8]),
        "placeholder": ("warning", 1, [9]), "rare_class": ("warning", 1, [10])}
    assert insp.labels == {"negative": 4, "neutral": 1, "positive": 4}
    assert insp.examples["_row"].tolist() == [1, 2, 3, 4, 8, 9, 10, 11, 12]
    assert insp.excluded[1]["data"] == {"label": "", "text": "no label here"}
    for p in insp.problems:
        assert p.message.endswith(".") and str(p.count) in p.message or p.kind == "single_class"


def test_checks_user_choices():
    insp = inspect_file(fx("checks.csv"), fixes={"label_case": "keep", "duplicate": "keep",
                                                 "conflicting_label": "exclude",
                                                 "label_whitespace": "keep",
                                                 "placeholder": "exclude"})
    assert insp.labels == {"Positive": 1, "negative": 2, "neutral": 1, "positive": 1,
                           "positive ": 1}
    assert excluded(insp) == [(1, "conflicting_label"), (5, "empty_text"), (6, "missing_label"),
                              (7, "conflicting_label"), (8, "conflicting_label"),
                              (9, "placeholder")]
    k = kinds(insp)
    assert k["label_case"][0] == "warning" and k["duplicate"] == ("warning", 1, [7])
    rare = inspect_file(fx("checks.csv"), fixes={"rare_class": "exclude"})
    assert (10, "rare_class") in excluded(rare) and "neutral" not in rare.labels


def test_numeric_labels_made_consistent():
    insp = inspect_file(fx("numeric_labels.json"))
    assert insp.task == "classification"
    assert insp.examples["label"].tolist() == ["1", "1", "0", "0", "1"]
    assert kinds(insp)["numeric_label_text"] == ("fixed", 3, [2, 3, 5])
    kept = inspect_file(fx("numeric_labels.json"), fixes={"numeric_label_text": "keep"})
    assert kept.labels == {"0": 2, "1": 2, "1.0": 1}


def test_single_class_blocks():
    insp = inspect_file(fx("single_class.csv"))
    assert kinds(insp)["single_class"] == ("blocking", 3, [1, 2, 3])
    cfg = JobConfig()
    cfg.data.train_file = fx("single_class.csv")
    with pytest.raises(DataError) as e:
        load_job_data(cfg)
    assert e.value.code == "single_class" and "spam" in str(e.value)


class WordTokenizer:
    """Counts words as tokens; enough to test the length check without downloading anything."""
    model_max_length = 512
    chat_template = None

    def __call__(self, texts, pairs=None, truncation=False):
        pairs = pairs or [""] * len(texts)
        return {"input_ids": [[0] * (len(a.split()) + len(b.split()) + 2)
                              for a, b in zip(texts, pairs)]}


def test_too_long_only_with_tokenizer():
    assert "too_long" not in kinds(inspect_file(fx("checks.csv")))
    insp = inspect_file(fx("checks.csv"), tokenizer=WordTokenizer(), max_length=4)
    action, count, rows = kinds(insp)["too_long"]
    assert (action, count, rows) == ("warning", 1, [10])     # "only one of these": 4 words + 2
    p = next(p for p in insp.problems if p.kind == "too_long")
    assert p.params == {"share": round(100 / 9, 1), "max_length": 4}
    dropped = inspect_file(fx("checks.csv"), tokenizer=WordTokenizer(), max_length=4,
                           fixes={"too_long": "exclude"})
    assert (10, "too_long") in excluded(dropped) and dropped.rows == 8


def test_train_val_overlap_flagged_in_inspection():
    insp = inspect_file(fx("checks.csv"), validation_path=fx("checks_val.csv"))
    assert kinds(insp)["train_val_overlap"] == ("excluded", 1, [1])


# ---- bad files ------------------------------------------------------------------------------

BAD = [
    ("empty.csv", "empty_file", {}),
    ("blank.csv", "empty_file", {}),
    ("header_only.csv", "header_only", {"columns": ["label", "text"]}),
    ("ragged.csv", "ragged_rows", {"line": 4, "found": 4, "expected": 2}),
    ("bad.json", "bad_json", {"line": 3, "column": 16}),
    ("bad.jsonl", "bad_json", {"line": 3, "column": 10}),
    ("scalar.json", "bad_json_shape", {}),
    ("zip_renamed.csv", "binary_file", {"kind": "zip archive"}),
    ("image_renamed.csv", "binary_file", {"kind": "PNG image"}),
    ("binary.csv", "binary_file", {}),
    ("legacy.xls", "unknown_format", {"kind": "old Excel (.xls) or Word document"}),
    ("missing.csv", "not_found", {}),
]


@pytest.mark.parametrize("name,code,params", BAD)
def test_bad_files_one_sentence(name, code, params):
    with pytest.raises(DataError) as e:
        inspect_file(fx(name))
    err = e.value
    assert err.code == code
    assert {k: err.params[k] for k in params} == params
    text = str(err)
    assert text.endswith(".") and "\n" not in text and "Traceback" not in text
    assert text.count(". ") == 0 or code in ("binary_file",)     # one sentence


def test_size_limit(monkeypatch):
    monkeypatch.setenv("STUDIO_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(DataError) as e:
        read_table(fx("checks.csv"))
    assert e.value.code == "too_large" and e.value.params["limit_mb"] == 0.0


def test_hf_dataset_offline_fails_fast():
    start = time.perf_counter()
    with pytest.raises(DataError) as e:
        inspect_file("hf:stanfordnlp/sst2@train")
    assert e.value.code == "offline_dataset" and e.value.params["dataset"] == "stanfordnlp/sst2"
    assert time.perf_counter() - start < 2
    with pytest.raises(DataError) as e:
        read_table("hf:")
    assert e.value.code == "bad_dataset_id"


def test_column_override_must_exist():
    with pytest.raises(DataError) as e:
        inspect_file(fx("basic.csv"), roles={"label": "sentiment"})
    assert e.value.code == "missing_column"
    assert e.value.params["columns"] == ["label", "text"] and "label, text" in str(e.value)


def test_missing_role_is_blocking_problem():
    insp = inspect_file(fx("pairs.txt"), task="classification")
    assert kinds(insp)["missing_column"][0] == "blocking"
    assert insp.examples["text"].tolist() == ["Go.", "Hi.", "Run!", "Who?"]   # inputs only
    assert inspect_file(fx("messages.jsonl"), task="classification").rows == 0


# ---- splitting and loading ------------------------------------------------------------------

def _examples(labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"text": [f"t{i}" for i in range(len(labels))], "label": labels,
                         "_row": range(1, len(labels) + 1)})


def test_split_stratified_deterministic_order_kept():
    ex = _examples(["a"] * 50 + ["b"] * 30 + ["c"] * 19 + ["d"])
    train, val = split_validation(ex, 0.2, seed=7, task="classification")
    assert len(val) == 20 and len(train) == 80
    assert val["label"].value_counts().to_dict() == {"a": 10, "b": 6, "c": 4}
    assert "d" in set(train["label"])                  # too rare to split: stays in train
    assert train["_row"].is_monotonic_increasing and val["_row"].is_monotonic_increasing
    again = split_validation(ex, 0.2, seed=7, task="classification")[1]
    assert again["_row"].tolist() == val["_row"].tolist()
    other = split_validation(ex, 0.2, seed=8, task="classification")[1]
    assert other["_row"].tolist() != val["_row"].tolist()
    assert sorted(train["_row"].tolist() + val["_row"].tolist()) == list(range(1, 101))


def test_split_generation_and_edge_cases():
    ex = pd.DataFrame({"prompt": list("abcdefghij"), "response": list("ABCDEFGHIJ"),
                       "_row": range(1, 11)})
    train, val = split_validation(ex, 0.3, seed=1, task="text2text")
    assert (len(train), len(val)) == (7, 3)
    assert split_validation(ex, 0.0, 1, "text2text")[1].empty
    assert len(split_validation(ex.head(1), 0.5, 1, "text2text")[0]) == 1


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


def test_load_job_data_overrides_task_and_max_rows():
    cfg = JobConfig()
    cfg.data.train_file = fx("no_header.tsv")
    cfg.data.text_column, cfg.data.label_column = "column_2", "column_1"
    cfg.data.max_rows, cfg.data.validation_fraction = 4, 0.5
    job = load_job_data(cfg)
    assert job.labels == ["0", "1"] and len(job.train) == 2 and len(job.validation) == 2
    assert set(job.validation["label"]) == {"0", "1"}
    cfg = JobConfig()
    cfg.data.train_file, cfg.task = fx("alpaca.json"), "text2text"
    job = load_job_data(cfg)
    assert list(job.train.columns) == ["prompt", "response", "_row"] and job.labels == []


def test_load_job_data_split_moves_overlap_back_to_training(tmp_path):
    path = tmp_path / "t.csv"
    rows = [("a", f"text {i}") for i in range(20)] + [("b", f"text {i}") for i in range(20)]
    pd.DataFrame(rows, columns=["label", "text"]).to_csv(path, index=False)
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_fraction = str(path), 0.25
    job = load_job_data(cfg)
    assert not set(job.validation["text"]) & set(job.train["text"])
    assert len(job.train) + len(job.validation) == 40


def test_normalise_text_pair(tmp_path):
    frame = pd.DataFrame({"sentence1": ["a", "b"], "sentence2": ["c", "d"], "label": ["x", "y"]})
    from studio.data.pipeline import guess_roles
    roles = guess_roles(frame, "table")
    assert roles == {"text": "sentence1", "text_pair": "sentence2", "label": "label"}
    examples, excl, problems = normalise(frame, "table", roles, "classification")
    assert list(examples.columns) == ["text", "text_pair", "label", "_row"] and excl == []


def test_single_line_json_record_or_wrapper(tmp_path):
    record = tmp_path / "one.json"
    record.write_text(json.dumps({"messages": [{"role": "user", "content": "a"},
                                               {"role": "assistant", "content": "b"}]}))
    assert inspect_file(record).rows == 1
    wrapper = tmp_path / "wrapped.json"
    wrapper.write_text(json.dumps({"data": [{"text": "a", "label": 1},
                                            {"text": "b", "label": 0}]}))
    frame, info = read_table(wrapper)
    assert info["format"] == "json" and len(frame) == 2


def test_too_long_estimated_on_a_sample(monkeypatch):
    import studio.data.pipeline as data
    monkeypatch.setattr(data, "LENGTH_SAMPLE", 4)
    insp = inspect_file(fx("checks.csv"), tokenizer=WordTokenizer(), max_length=3)
    p = next(p for p in insp.problems if p.kind == "too_long")     # every text has 4+ tokens
    assert (p.count, p.params) == (9, {"sample": 4, "share": 100.0, "max_length": 3})
    assert len(p.rows) == 4 and p.message.startswith("About 9 examples (100.0%, measured on")


def test_to_dict_is_plain_json():
    d = inspect_file(fx("messages.parquet")).to_dict()
    again = json.loads(json.dumps(d))
    assert again["preview"][1]["messages"][0] == {"role": "user", "content": "Ping"}
    assert set(again) >= {"path", "format", "encoding", "layout", "columns", "roles", "task",
                          "labels", "rows", "excluded", "problems", "sheets", "preview"}
    assert "frame" not in again and "examples" not in again


def test_mapping_alpaca_columns_keeps_input_and_history():
    insp = inspect_file(fx("alpaca.json"), roles={"prompt": "instruction", "response": "output"})
    assert insp.layout == "alpaca"
    assert insp.examples["messages"][0][0]["content"] == "Translate to French\n\ncat"
    as_table = inspect_file(fx("alpaca.json"), roles={"text": "instruction", "label": "output"})
    assert (as_table.layout, as_table.task) == ("table", "classification")


def test_validation_file_with_other_column_names(tmp_path):
    val = tmp_path / "val.csv"
    val.write_text("label,content\npositive,fresh words\nnegative,other words\n")
    cfg = JobConfig()
    cfg.data.train_file, cfg.data.validation_file = fx("checks.csv"), str(val)
    cfg.data.text_column, cfg.data.label_column = "text", "label"
    job = load_job_data(cfg)
    assert job.validation["text"].tolist() == ["fresh words", "other words"]
    assert job.validation_inspection.roles == {"text": "content", "label": "label"}


def test_unlabelled_file_gives_inputs_for_prediction(tmp_path):
    path = tmp_path / "predict.csv"
    path.write_text("text\nfirst review\n\"  \"\nsecond review\n")
    insp = inspect_file(path, task="classification")
    assert insp.examples["text"].tolist() == ["first review", "second review"]
    assert insp.examples["_row"].tolist() == [1, 3] and excluded(insp) == [(2, "empty_text")]
    assert kinds(insp)["missing_column"][0] == "blocking"
    chat = inspect_file(path, task="chat", system_prompt="Be nice.")
    assert chat.examples["messages"][0] == [{"role": "system", "content": "Be nice."},
                                            {"role": "user", "content": "first review"}]
    t2t = inspect_file(path, task="text2text")
    assert t2t.examples[["prompt", "response"]].values.tolist()[1] == ["second review", ""]
    cfg = JobConfig()
    cfg.data.train_file = str(path)
    with pytest.raises(DataError) as e:
        load_job_data(cfg)
    assert e.value.code == "missing_column" and e.value.params["role"] == "label"


def test_wrong_extensions_read_by_content(tmp_path):
    import shutil
    shutil.copy(fx("array.json"), tmp_path / "array.csv")
    shutil.copy(fx("reviews.xlsx"), tmp_path / "reviews.csv")
    shutil.copy(fx("table.parquet"), tmp_path / "table.csv")
    shutil.copy(fx("basic.csv"), tmp_path / "basic.xlsx")
    assert read_table(tmp_path / "array.csv")[1]["format"] == "json"
    assert read_table(tmp_path / "reviews.csv", sheet="Reviews")[1]["format"] == "xlsx"
    assert read_table(tmp_path / "table.csv")[1]["format"] == "parquet"
    frame, info = read_table(tmp_path / "basic.xlsx")
    assert info["format"] == "csv" and len(frame) == 4


def test_hub_unreachable_fails_fast(monkeypatch):
    import studio.data.readers as formats
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(formats, "hub_reachable", lambda timeout=3.0: False)
    with pytest.raises(DataError) as e:
        read_table("hf:owner/name:config@validation")
    assert e.value.code == "offline_dataset" and e.value.params["dataset"] == "owner/name"


def test_hf_dataset_read_when_online(monkeypatch):
    import datasets

    import studio.data.readers as formats
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(formats, "hub_reachable", lambda timeout=3.0: True)
    calls = []
    ds = datasets.Dataset.from_dict({"sentence": ["good", "bad", "fine"], "label": [1, 0, 1]})

    def fake_load(name, config=None, split=None, streaming=False):
        calls.append((name, config, split, streaming))
        return ds.to_iterable_dataset() if streaming else ds

    monkeypatch.setattr(datasets, "load_dataset", fake_load)
    insp = inspect_file("hf:glue:sst2@validation")
    assert calls[-1] == ("glue", "sst2", "validation", False)
    assert (insp.format, insp.roles, insp.rows) == ("hf", {"text": "sentence", "label": "label"}, 3)
    frame, _ = read_table("hf:owner/name", nrows=2)
    assert calls[-1] == ("owner/name", None, "train", True) and len(frame) == 2
