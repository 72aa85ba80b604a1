"""Evaluation reports its progress, a CPU keeps generated samples a small share of a short run,
and a job's time is estimated before Start from the workspace's own finished runs (a chat run sat
16.6 minutes on "evaluating the base model" with no counter, no estimate before Start)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from helpers import events_of, make_job, train_in_process
from studio import eval_budget, eval_progress
from studio.config import JobConfig
from studio.jobs import prepare


@pytest.mark.parametrize("data, model, task", [("chat.json", "tiny-gpt", "chat"),
                                               ("pairs.csv", "tiny-t5", "text2text")])
@pytest.mark.heavy
def test_a_generation_run_counts_its_evaluation_rows_up_to_the_total(
        data, model, task, data_dir, workspace, monkeypatch):
    monkeypatch.setattr(eval_progress, "EMIT_EVERY", 0.0)  # every batch, so counts are seen
    cfg = make_job(data_dir / data, model, task, train__max_steps=2,
                   train__batch_size=4, train__eval_before=True, train__generation_samples=3)
    code, run_dir, _ = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 0, events[-1]
    validation = next(e for e in events if e["type"] == "start")["validation_rows"]
    for phase in ("before", "after"):
        for part, total in (("loss", validation), ("generate", 3)):
            seen = [e for e in events if e["type"] == "eval_progress"
                    and e["phase"] == phase and e["part"] == part]
            assert seen, (phase, part)
            counts = [e["done"] for e in seen]
            assert counts[0] == 0 and counts == sorted(counts) and counts[-1] == total
            assert all(e["total"] == total for e in seen)
            assert seen[-1]["eta_s"] == 0
            if part == "generate":  # one batch of 3: its decoding steps give a time left early
                assert any(e["done"] < total and e["eta_s"] is not None for e in seen)
    # each phase's counter comes before that phase's result
    types = [(e["type"], e.get("phase")) for e in events]
    first_before = types.index(("eval_progress", "before"))
    assert first_before < types.index(("eval", "before"))
    assert types.index(("eval_progress", "after")) < types.index(("eval", "after"))


@pytest.mark.parametrize("rows, passes, cpu, expected", [
    (10_000, 2, True, 8),    # a long run: the usual 8
    (216, 2, True, 4),       # 72 rows x 3 epochs (a 72-row run that sat 16 minutes): 0.15*216/16 = 2 -> floor 4
    (640, 2, True, 6),       # 0.15*640/16 = 6
    (640, 1, True, 8),       # no base-model evaluation: one pass, 12 -> cap 8
    (10, 2, False, 8),       # a GPU keeps the usual 8 whatever the run
    (0, 2, True, 4),
])
def test_the_cpu_rule(rows, passes, cpu, expected):
    assert eval_budget.cpu_generation_samples(rows, passes, cpu) == expected


def test_the_rule_keeps_a_set_value_and_leaves_classifiers_alone():
    cfg = JobConfig(task="chat")
    cfg.train.generation_samples = 2
    assert eval_budget.default_generation_samples(cfg, 72, cpu=True) == (2, "")
    cfg = JobConfig(task="classification")
    assert eval_budget.default_generation_samples(cfg, 72, cpu=True) == (8, "")
    cfg = JobConfig(task="chat")
    n, note = eval_budget.default_generation_samples(cfg, 72, cpu=True)
    assert n == 4 and "4 validation samples instead of 8" in note


def test_a_short_chat_job_on_this_cpu_resolves_fewer_samples_and_says_so(data_dir, monkeypatch):
    monkeypatch.setattr(eval_budget, "on_cpu", lambda: True)
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", train__max_steps=2)
    cfg.train.generation_samples = None  # left empty, as the page and the CLI leave it
    notes = []
    plan = prepare(cfg, log_note=lambda **n: notes.append(n), load_model=False)
    assert plan.cfg.train.generation_samples == 4
    assert [n["code"] for n in notes if n["code"] == "generation_samples_cpu"] == \
        ["generation_samples_cpu"]
    cfg.train.generation_samples = 6  # a value the user set is kept and not commented on
    notes.clear()
    assert prepare(cfg, log_note=lambda **n: notes.append(n),
                   load_model=False).cfg.train.generation_samples == 6
    assert not [n for n in notes if n["code"] == "generation_samples_cpu"]


def _run(id_, model, method, status="done"):
    return SimpleNamespace(id=id_, model=model, method=method, status=status, metrics={})


class FakeRegistry:
    """registry.list / registry.folder(run).metrics(), as studio.runs.Registry answers them."""

    def __init__(self, runs, metrics):
        self.runs, self.metrics = runs, metrics

    def list(self, limit=1000, owner=None):
        return self.runs

    def folder(self, run):
        return SimpleNamespace(metrics=lambda: self.metrics.get(run.id, {}))


def test_estimate_seconds_from_the_workspace_history():
    registry = FakeRegistry(
        [_run("r3", "smollm2", "lora", status="failed"), _run("r2", "tiny-gpt", "lora"),
         _run("r1", "smollm2", "lora")],
        {"r3": {"train_samples_per_second": 99.0},
         "r1": {"train_samples_per_second": 4.0,
                "before": {"eval_loss": 2.0, "timing": {"seconds": 40.0, "examples": 8}},
                "after": {"eval_loss": 1.0, "timing": {"seconds": 24.0, "examples": 8}}}})
    speed = eval_budget.past_speed(registry, "smollm2", "lora")
    assert speed.run_id == "r1" and speed.samples_per_second == 4.0
    assert speed.sample_seconds == 3.0  # the final evaluation's 24 s / 8 samples
    assert eval_budget.past_speed(registry, "smollm2", "full") is None
    cfg = JobConfig(task="chat")
    cfg.train.batch_size, cfg.train.grad_accum, cfg.train.epochs = 8, 1, 1.0
    cfg.train.eval_strategy, cfg.train.generation_samples = "no", 8
    est = eval_budget.estimate_seconds(cfg, 80, 12, speed)
    assert est["training"] == 20.0  # 80 rows at 4 rows/s
    # two passes over 12 rows (forward only: 1/3 of a training row) + 2 x 8 samples x 3 s
    assert est["evaluation"] == pytest.approx(24 / 3 / 4 + 16 * 3.0, abs=0.1)
    assert est["total"] == pytest.approx(est["training"] + est["evaluation"], abs=0.1)
    assert eval_budget.estimate_seconds(cfg, 80, 12, None) is None


def test_eval_work_counts_every_pass_and_sample():
    cfg = JobConfig(task="chat")
    cfg.train.batch_size, cfg.train.grad_accum, cfg.train.epochs = 8, 1, 2.0
    cfg.train.eval_strategy, cfg.train.generation_samples = "epoch", 8
    work = eval_budget.eval_work(cfg, 80, 10)
    assert work["passes"] == 4 and work["rows"] == 40 and work["generated"] == 16
    cfg.train.eval_before = False
    assert eval_budget.eval_work(cfg, 80, 10)["generated"] == 8
    assert eval_budget.eval_work(cfg, 80, 0)["passes"] == 0


def test_the_preview_says_what_evaluation_will_cost(data_dir, monkeypatch):
    from studio.jobs.preview import preview
    monkeypatch.setattr(eval_budget, "on_cpu", lambda: True)
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", train__max_steps=2)
    cfg.train.generation_samples = None
    evaluation = preview(cfg).to_dict()["evaluation"]
    assert evaluation["generated"] == 2 * 4  # before and after, 4 samples by the CPU rule
    assert evaluation["passes"] >= 2 and evaluation["rows"] > 0
    assert evaluation["share_of_training"] > 0


def test_the_train_step_shows_the_time_before_start_from_an_earlier_run(data_dir):
    """Before, the page read the registry's summary, which never holds the speed, and always
    said 'appears after the first steps'; now it shows the engine's estimate, evaluation in."""
    from components import train_step
    registry = FakeRegistry([_run("r1", "tiny-bert", "full")],
                            {"r1": {"train_samples_per_second": 50.0,
                                    "after": {"accuracy": 0.9,
                                              "timing": {"seconds": 2.0, "examples": 20}}}})
    state = {"valid": True, "task": "classification", "path": str(data_dir / "sentiment.csv")}
    text = train_step.estimate(registry, state, {"name": "tiny-bert"}, "en", [], [])["estimate"]
    assert "Estimated time: about " in text and " of it evaluating" in text
    assert "appears after the first steps" not in text
    zh = train_step.estimate(registry, state, {"name": "tiny-bert"}, "zh-CN", [], [])["estimate"]
    assert "预计耗时约" in zh and "其中评估约" in zh
    none = train_step.estimate(FakeRegistry([], {}), state, {"name": "tiny-bert"}, "en", [],
                               [])["estimate"]
    assert "appears after the first steps" in none
