"""The advisor on the page: an ended run's findings on the Train and Runs steps, and "Train
again with these settings", whose one click sets exactly the suggested fields of the form
(the rest stay what the user has: opening a run never writes its settings into the form)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from components import advice_view, train_step
from studio.advisor.finding import Finding
from studio.config import JobConfig
from studio.events import EventWriter
from studio.runfolder import RunFolder

# The form as the user left it: a name, a batch size and LoRA's rank they changed; the
# learning rate left to the engine ("decide for me").
PATHS = ["name", "train.learning_rate", "train.batch_size", "train.epochs", "method.method",
         "train.max_steps", "method.lora_r"]
USER = ["my-next-run", "", 32, 3.0, "auto", -1, 4]

LR_HIGH = Finding.make("lr_too_high_spikes", {"train.learning_rate": 0.003}, first_loss=0.69,
                       spikes=4, lr=0.03, new_lr=0.003)
OVERFIT = Finding.make("overfitting", {"train.epochs": 2}, best_epoch=2, best_step=20,
                       best_loss=0.41, rise_pct=35, last_loss=0.55, epochs=2)


class Registry:
    """The part of studio.runs.Registry the advice reads: one run, its folder."""
    def __init__(self, folder: RunFolder, status="done", model="tiny-bert"):
        self.folder_, self.run = folder, SimpleNamespace(
            id=folder.path.name, status=status, model=model, task="classification")

    def get(self, run_id, **_):
        return self.run if run_id == self.run.id else None

    def folder(self, run):
        return self.folder_


def run_with(tmp_path, findings, lr=0.03, epochs=5.0, final="done") -> RunFolder:
    folder = RunFolder(tmp_path / "run-1")
    folder.path.mkdir(parents=True)
    cfg = JobConfig(task="classification")
    cfg.model.name, cfg.data.train_file = "tiny-bert", str(tmp_path / "reviews.csv")
    cfg.train.learning_rate, cfg.train.epochs = lr, epochs
    cfg.to_yaml(folder.job_file)
    w = EventWriter(folder.events_file)
    w.emit("start", total_steps=4, validation_rows=4)
    w.emit("log", step=4, elapsed=1.0, loss=0.5, epoch=epochs)
    if findings is not None:
        folder.write_findings([f.to_dict() for f in findings])
    w.emit(final, metrics={"accuracy": 0.5})
    return folder


def click(tmp_path, findings, lang="en", **job):
    folder = run_with(tmp_path, findings, **job)
    shown = advice_view.run_advice(Registry(folder), "run-1", lang)
    assert shown["advice_apply"]["visible"] is True
    data = {"path": str(tmp_path / "reviews.csv"), "valid": True}
    return shown, advice_view.apply_suggestion(shown["advice_state"], PATHS, USER, lang, data,
                                               {"name": "tiny-bert"})


def test_lr_too_high_one_click_sets_the_learning_rate_only(tmp_path):
    shown, out = click(tmp_path, [LR_HIGH])
    assert "learning rate is too high" in shown["advice"]
    assert set(out) == {"train.learning_rate", "advice_message"}  # the rest stay the user's
    assert out["train.learning_rate"]["value"] == "0.003"  # a 'decide for me' text box
    assert "Learning rate 0.03 → 0.003" in out["advice_message"]
    assert "That run trained" not in out["advice_message"]  # same data and model on the page
    zh = advice_view.apply_suggestion(shown["advice_state"], PATHS, USER, "zh-CN")
    assert "学习率 0.03 → 0.003" in zh["advice_message"] and "run-1" in zh["advice_message"]


def test_overfitting_one_click_sets_the_epochs_only(tmp_path):
    shown, out = click(tmp_path, [OVERFIT], epochs=5.0)
    assert "overfitting" in shown["advice"] and "`train.epochs=2`" in shown["advice"]
    assert set(out) == {"train.epochs", "advice_message"}
    assert out["train.epochs"]["value"] == 2
    assert "Epochs 5 → 2" in out["advice_message"]


def test_two_findings_set_both_fields_and_another_model_on_the_page_is_named(tmp_path):
    folder = run_with(tmp_path, [LR_HIGH, OVERFIT])
    state = advice_view.run_advice(Registry(folder), "run-1", "en")["advice_state"]
    out = advice_view.apply_suggestion(state, PATHS, USER, "en", {"path": "other.csv"},
                                       {"name": "tiny-gpt"})
    assert set(out) == {"train.learning_rate", "train.epochs", "advice_message"}
    assert "That run trained tiny-bert on reviews.csv" in out["advice_message"]


def test_nothing_to_apply_without_a_run(tmp_path):
    out = advice_view.apply_suggestion(None, PATHS, USER, "en")
    assert set(out) == {"advice_message"} and "open a finished run" in out["advice_message"]


@pytest.mark.parametrize("status, findings", [("running", [LR_HIGH]), ("done", None)])
def test_no_advice_for_a_running_run_or_one_without_findings(tmp_path, status, findings):
    folder = run_with(tmp_path, findings)
    shown = advice_view.run_advice(Registry(folder, status=status), "run-1", "en")
    assert shown["advice"] == "" and shown["advice_state"] is None
    assert shown["advice_apply"]["visible"] is False


def test_a_run_stopped_for_diverging_shows_its_finding_event(tmp_path):
    """The divergence check fails the run before findings.json is written: its `finding`
    event is the advice."""
    folder = run_with(tmp_path, None, final="failed")
    EventWriter(folder.events_file).emit("finding", code=LR_HIGH.code, text=LR_HIGH.sentence,
                                         params=LR_HIGH.params, suggestion=LR_HIGH.suggestion)
    shown = advice_view.run_advice(Registry(folder, status="failed"), "run-1", "en")
    assert LR_HIGH.sentence in shown["advice"]
    assert shown["advice_state"]["suggestion"] == {"train.learning_rate": 0.003}


class Queue:
    def position(self, run_id):
        return 0


def test_the_train_step_shows_the_findings_when_the_followed_run_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(train_step, "source_update", lambda *a, **k: {})
    monkeypatch.setattr(train_step, "followed", lambda *a, **k: {})
    folder = run_with(tmp_path, [OVERFIT])
    out = train_step.poll(Registry(folder), Queue(), "run-1", None, "en")
    assert "What the curves say" in out["advice"] and OVERFIT.sentence in out["advice"]
    assert out["advice_apply"]["visible"] is True
    zh = train_step.poll(Registry(folder), Queue(), "run-1", None, "zh-CN")
    assert "过拟合" in zh["advice"]
    # Another run followed, still going: the last run's advice and button go.
    running = run_with(tmp_path / "b", None, final="message")
    out = train_step.poll(Registry(running, status="running"), Queue(), "run-1", None, "en")
    assert out["advice"] == "" and out["advice_apply"]["visible"] is False


def test_recorded_findings_are_in_metrics_json_too(tmp_path):
    from studio.advisor import record
    folder = run_with(tmp_path, None, final="message")
    folder.write_metrics({"before": {}, "after": {"accuracy": 0.5}, "steps": 4})
    found = record(folder, EventWriter(folder.events_file))
    metrics = folder.metrics()
    assert metrics["after"] == {"accuracy": 0.5} and metrics["steps"] == 4
    assert metrics["findings"] == [f.to_dict() for f in found]
