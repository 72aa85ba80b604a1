"""The browser walk's findings, each where it is made: a stale "choose a data file" refusal, a
stopped run's last scores in the Runs table, an empty misclassified table that says why, an
empty T5 output that says so, samples cut mid-character, and a whole labelled file that keeps
every row and is scored like `python -m studio eval`."""
from __future__ import annotations

import types

import pandas as pd
import pytest

from components import runs_step, train_step, try_step
from components.i18n import tr
from studio.config import JobConfig
from studio.events import EventWriter
from studio.runs import Registry
from studio.tasks import seq2seq
from studio.tasks.decoding import whole_characters


def test_a_data_refusal_goes_once_the_data_is_there():
    need = "⚠ " + tr("en", "train_need_data")
    assert train_step.stale_refusal(need, {"valid": True}, {}, "en") == {"message": ""}
    assert train_step.stale_refusal(need, {"valid": False}, {}, "en") == {}
    started = tr("en", "train_started", run="r1")
    assert train_step.stale_refusal(started, {"valid": True}, {"name": "tiny-bert"}, "en") == {}
    need_model = tr("zh-CN", "train_need_model")
    assert train_step.stale_refusal(need_model, {}, {"name": "tiny-bert"}, "zh-CN") == \
        {"message": ""}


def test_a_stopped_run_shows_its_last_evaluation_in_the_runs_table(tmp_path):
    registry = Registry(tmp_path / "ws")
    cfg = JobConfig()
    cfg.data.train_file, cfg.task = "reviews.csv", "classification"
    run = registry.new_run(cfg)
    w = EventWriter(registry.folder(run).events_file)
    w.emit("start", total_steps=40, validation_rows=20)
    w.emit("eval", phase="before", step=0, metrics={"accuracy": 0.5, "eval_loss": 0.7})
    w.emit("eval", phase="during", step=10, metrics={"accuracy": 0.75, "macro_f1": 0.7,
                                                     "eval_loss": 0.6})
    w.emit("stopped", step=12, reason="Stopped by the user.")
    registry.update(run.id, status="stopped", reason="Stopped by the user.")
    table = runs_step.history(registry, "en")
    row = table[table.iloc[:, 0] == run.id].iloc[0]
    assert row["accuracy"] == "0.7500" or str(row["accuracy"]).startswith("0.75"), row
    assert str(row["macro-F1"]).startswith("0.7")


class Folder:
    def __init__(self, predictions):
        self.predictions = predictions

    def outputs(self, kind, phase="after", limit=None):
        rows = self.predictions if kind == "predictions" else []
        return rows[:limit] if limit else rows


def test_an_empty_misclassified_table_says_why(monkeypatch):
    right = [{"row": 1, "label": "a", "predicted": "a", "confidence": 0.9, "text": "x"}]
    assert "None" in try_step.errors_note(Folder(right), "en")
    assert "saved no predictions" in try_step.errors_note(Folder([]), "en")
    wrong = [{**right[0], "predicted": "b"}]
    assert try_step.errors_note(Folder(wrong), "en") == ""
    assert "没有" in try_step.errors_note(Folder(right), "zh-CN")


def test_an_empty_generated_output_is_said(monkeypatch):
    import studio.inference as inference
    monkeypatch.setattr(inference, "chat_messages", lambda lm, text: [])
    monkeypatch.setattr(inference, "generate_text", lambda lm, msgs, n: "  ")
    cache = types.SimpleNamespace(run=lambda *a, **k: object())
    out = try_step.text2text(cache, None, "r", "Hello", False, 16, "en")
    assert out["tuned"].strip() == "" and "without a visible character" in out["message"]
    monkeypatch.setattr(inference, "generate_text", lambda lm, msgs, n: "Bonjour")
    assert try_step.text2text(cache, None, "r", "Hello", False, 16, "en")["message"] == ""


def test_samples_cut_mid_character_end_in_whole_characters():
    assert whole_characters("不过是\ufffd") == "不过是"

    class Enc(dict):
        def to(self, device):
            return self

    class Tok:
        def __call__(self, texts, **kw):
            return Enc(input_ids=[[1]] * len(texts))

        def batch_decode(self, gen, skip_special_tokens=True):
            return ["不过是\ufffd\ufffd" for _ in gen]

    class Model:
        device = "cpu"

        def eval(self):
            return self

        def generate(self, **kw):
            return [[1, 2]] * len(kw["input_ids"])

    assert seq2seq.generate(Model(), Tok(), ["a", "b"]) == ["不过是", "不过是"]


@pytest.fixture(scope="module")
def tiny_classifier(tmp_path_factory):
    """A LoadedModel-like classifier that answers 'positive' for texts with 'good'."""
    from studio import predict

    def fake_classify(lm, texts, pairs=None, window=0):
        for t in texts:
            p = 0.9 if "good" in t else 0.2
            yield {"prediction": "positive" if p > 0.5 else "negative",
                   "probabilities": {"negative": 1 - p, "positive": p}}
    return types.SimpleNamespace(task="classification", family="bert",
                                 labels=["negative", "positive"]), fake_classify, predict


def test_a_labelled_file_keeps_every_row_and_is_scored(tmp_path, monkeypatch, tiny_classifier):
    lm, fake, predict = tiny_classifier
    monkeypatch.setattr(predict, "classify_stream", fake)
    rows = [("good film", "positive")] * 3 + [("bad film", "negative"), ("good grief", "negative"),
                                              ("dull", "positive")]
    path = tmp_path / "scored.csv"
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    from studio.file_scores import classify_and_score
    score = classify_and_score(lm, str(path), str(tmp_path / "out.csv"))
    assert score.rows == 6 and len(pd.read_csv(tmp_path / "out.csv")) == 6  # repeats kept
    m = score.metrics  # right: 3 x good film, bad film; wrong: good grief, dull
    assert m["accuracy"] == pytest.approx(4 / 6) and m["rows"] == 6
    assert m["confusion_matrix"] == [[1, 1], [1, 3]]  # rows: true negative, positive
    # macro-F1 by hand: negative P=1/2 R=1/2 F1=1/2; positive P=3/4 R=3/4 F1=3/4
    assert m["macro_f1"] == pytest.approx((0.5 + 0.75) / 2)


def test_a_file_without_labels_is_predicted_not_scored(tmp_path, monkeypatch, tiny_classifier):
    lm, fake, predict = tiny_classifier
    monkeypatch.setattr(predict, "classify_stream", fake)
    path = tmp_path / "plain.csv"
    pd.DataFrame({"text": ["good", "good", "meh"]}).to_csv(path, index=False)
    from studio.file_scores import classify_and_score
    score = classify_and_score(lm, str(path), str(tmp_path / "out.csv"))
    assert score.rows == 3 and score.metrics is None


@pytest.mark.parametrize("key, params, one, many", [
    ("sweep_start_n", {}, "Start 1 run", "Start 2 runs"),
    ("sweep_count", {"names": "a"}, "1 run: a.", "2 runs: a."),
    ("lb_group_choice", {"data": "d", "task": "t"}, "d · t · 1 run", "d · t · 2 runs"),
    ("runs_deleted", {}, "Deleted 1 run.", "Deleted 2 run(s)."),
])
def test_a_count_of_one_is_singular(key, params, one, many):
    name = "count" if key in ("lb_group_choice", "runs_deleted") else "n"
    assert tr("en", key, **params, **{name: 1}) == one
    assert tr("en", key, **params, **{name: 2}) == many
    assert "1" in tr("zh-CN", key, **params, **{name: 1})  # Chinese: the one form
