"""A stopped run that evaluated at step 10 shows that evaluation's scores, said to be from
step 10 before the stop (the Runs table and the Train step's status), and no "ETA" once ended."""
from __future__ import annotations

from components import live, runs_step
from studio.config import JobConfig
from studio.events import EventWriter
from studio.runs import Registry


def stopped(tmp_path):
    registry = Registry(tmp_path / "ws")
    cfg = JobConfig()
    cfg.data.train_file, cfg.task = "reviews.csv", "classification"
    run = registry.new_run(cfg)
    w = EventWriter(registry.folder(run).events_file)
    w.emit("start", total_steps=40, validation_rows=20)
    w.emit("log", step=10, epoch=0.5, loss=0.6, elapsed=3.0, eta=9.0, total_steps=40)
    w.emit("eval", phase="during", step=10, metrics={"accuracy": 0.75, "macro_f1": 0.7,
                                                     "eval_loss": 0.6})
    w.emit("stopped", step=12, reason="Stopped by the user.")
    registry.update(run.id, status="stopped", reason="Stopped by the user.")
    return registry, run


def test_the_runs_table_says_the_scores_are_from_the_last_evaluation(tmp_path):
    registry, run = stopped(tmp_path)
    for lang, said in (("en", "from the evaluation at step 10, before the stop"),
                       ("zh-CN", "停止前第 10 步的评估")):
        table = runs_step.history(registry, lang)
        row = table.iloc[0]
        assert said in row.iloc[-1], row.iloc[-1]
        assert "0.75" in " ".join(map(str, row.values))
        assert "_step" not in " ".join(table.columns)


def test_the_train_step_shows_the_scores_and_no_time_left_once_stopped(tmp_path):
    registry, run = stopped(tmp_path)
    tail, _ = live.advance(live.new_tail(run.id), registry.folder(run))
    status = live.status_text(tail, "en")
    assert "step 10" in status and "0.75" in status, status
    assert "ETA" not in live.progress_html(tail, "en")
