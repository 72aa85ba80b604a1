"""opening a run shows its settings without making them the next job's; a value the
user set that stops applying is put back with a sentence (never a refusal); Advanced shows
only what applies; one wording for rows per step; an idle page showing an ended run stops
polling."""
from __future__ import annotations

from pathlib import Path

import pytest

from components import data_step, form, live, model_step, train_step
from studio.config import JobConfig
from studio.jobs import applies
from studio.runs import Registry

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
LORA = set(applies.LORA_ONLY)
GEN = set(applies.GENERATION_ONLY)


@pytest.mark.parametrize("task, family, method, hidden", [
    ("classification", "bert", "full", LORA | GEN | {"train.group_by_length"}),
    ("classification", "bert", "lora", {"train.freeze_embeddings"} | GEN |
     {"train.group_by_length"}),
    ("chat", "gpt", "lora", {"train.freeze_embeddings", "train.group_by_length"}),
    ("chat", "gpt", "full", LORA | {"train.group_by_length"}),
    ("text2text", "t5", "full", LORA | {"train.packing"}),  # T5 cannot pack: length groups
    ("classification", "gpt", "full", LORA | GEN | {"train.packing"}),
    (None, None, None, set()),  # nothing known yet: nothing hidden
])
def test_which_settings_apply_by_task_family_and_method(task, family, method, hidden):
    assert set(applies.inapplicable(task, family, method)) == hidden


def test_group_by_length_comes_back_when_packing_is_off():
    assert "train.group_by_length" in applies.inapplicable("chat", "gpt", "full")
    assert "train.group_by_length" not in applies.inapplicable("chat", "gpt", "full", False)


def test_a_set_value_that_no_longer_applies_is_put_back_and_said():
    cfg = JobConfig(task="text2text").override({"train.packing": True, "method.method": "full",
                                                "method.lora_r": 32, "train.epochs": 2})
    cfg.model.name = "tiny-t5"
    settled, notes = applies.settle(cfg)
    assert settled.train.packing is None and settled.method.lora_r == 8
    assert settled.train.epochs == 2  # what applies is kept
    assert {n["field"]: n["code"] for n in notes} == {"train.packing": "packing_unsupported",
                                                      "method.lora_r": "lora_only"}
    assert cfg.train.packing is True  # the caller's config is not changed
    lines, resets = form.reset_notes(notes, "en")
    assert any("Packing works for BERT-family" in x and "t5-family text-to-text" in x
               for x in lines), lines
    assert resets["train.packing"]["value"] == "auto" and resets["method.lora_r"]["value"] == 8
    zh, _ = form.reset_notes(notes, "zh-CN")
    assert all("已恢复" in x for x in zh)


def test_a_default_that_does_not_apply_is_not_said():
    cfg = JobConfig(task="classification").override({"method.method": "full"})
    cfg.model.name = "tiny-bert"
    assert applies.settle(cfg)[1] == []


def data_state(name: str):
    return data_step.inspect_data(str(SAMPLES / name), "", "auto", {}, "en", None)["state"]


def model_state(name, state):
    return model_step.model_info(name, state, "en")["model_state"]


class Queue:
    """Takes jobs like the JobQueue, without starting them: what the page sent is kept."""

    def __init__(self, registry):
        self.registry, self.jobs = registry, []

    def submit(self, cfg, owner=""):
        self.jobs.append(cfg)
        return self.registry.new_run(cfg, owner=owner)


def inherited_chat_settings():
    """What the form held after a GPT chat run was opened, before the fix (its resolved
    job.yaml): a name, max rows, packing, LoRA and its rank, a system prompt."""
    return {"name": "chat-run", "data.max_rows": 80, "train.packing": "true",
            "method.method": "lora", "method.lora_r": 16, "data.system_prompt": "Be brief.",
            "train.epochs": 1}


def test_starting_t5_after_gpt_settings_is_not_refused(tmp_path):
    registry = Registry(tmp_path / "ws")
    queue = Queue(registry)
    state = data_state("translation_en_zh.csv")
    values = {"train.packing": "true", "train.epochs": 1}
    out = train_step.start_run(queue, state, model_state("tiny-t5", state), "en",
                               list(values), list(values.values()))
    assert "submitted" in out["message"], out["message"]
    assert "Packing works for BERT-family" in out["message"]  # said, not refused
    assert queue.jobs[-1].train.packing is None and queue.jobs[-1].train.epochs == 1


def test_classification_after_chat_settings_drops_what_does_not_apply(tmp_path):
    queue = Queue(Registry(tmp_path / "ws"))
    state = data_state("reviews_sentiment.csv")
    values = {**inherited_chat_settings(), "method.method": "full"}
    out = train_step.start_run(queue, state, model_state("tiny-bert", state), "en",
                               list(values), list(values.values()))
    assert "submitted" in out["message"], out["message"]
    job = queue.jobs[-1]
    assert job.method.lora_r == 8 and job.data.system_prompt == ""
    assert "applies to LoRA only" in out["message"]


def test_opening_a_run_shows_its_settings_and_writes_no_field(tmp_path):
    registry = Registry(tmp_path / "ws")
    cfg = JobConfig().override({"name": "chat-run", "data.max_rows": 80, "train.epochs": 1,
                                "method.method": "lora", "train.packing": True})
    cfg.data.train_file, cfg.model.name = "chat.json", "tiny-gpt"
    run = registry.new_run(cfg)
    paths = list(form.fields())
    out = form.run_settings(registry, run.id, paths, "en")
    assert set(out) == {"run_settings"}  # not one form field: the next job stays the user's
    text = out["run_settings"]
    assert run.id in text and "Read-only" in text
    assert "Max rows **80**" in text and "Packing **on**" in text and "Run name **`chat-run`**" \
        in text
    assert form.run_settings(registry, "", paths, "en") == {"run_settings": ""}


def test_advanced_shows_only_what_applies_in_the_estimate(tmp_path):
    registry = Registry(tmp_path / "ws")
    paths = list(form.fields())
    values = [form.widget_default(p) for p in paths]
    state = data_state("reviews_sentiment.csv")
    out = train_step.estimate(registry, state, model_state("tiny-bert", state), "en", paths,
                              values)
    shown = {p for p in applies.CONDITIONAL if out[p]["visible"]}
    assert shown == {"train.freeze_embeddings", "train.packing"}, shown
    assert "train.epochs" not in out  # only what can change is sent


def test_known_visibility_before_a_model_is_chosen():
    paths = list(form.fields())
    values = dict(zip(paths, [form.widget_default(p) for p in paths]))
    out = form.known_visibility(paths, {"task": "chat"}, {}, values)
    assert all(u["visible"] for p, u in out.items() if p != "train.group_by_length")


def test_rows_per_step_is_one_engine_fact_in_both_lines(tmp_path):
    registry = Registry(tmp_path / "ws")
    state = data_state("reviews_sentiment.csv")
    paths = ["train.batch_size", "train.grad_accum", "train.epochs"]
    out = train_step.estimate(registry, state, model_state("tiny-bert", state), "en", paths,
                              [8, 2, 1])
    text = out["estimate"]
    assert "(16 rows per step)" in text and "**16 rows per step**: batch 8 x accumulation 2" \
        in text and "(8 rows per step)" not in text


# ---- polling -------------------------------------------------------------------------------

class Folder:
    def __init__(self, events):
        self.events = events

    def tail(self, offset):
        outer = self

        class Reader:
            def read(self):
                self.offset = len(outer.events)
                return outer.events[offset:]
        return Reader()

    def log_lines(self, offset):
        return [], offset


class Reg:
    def __init__(self, events):
        self.folder_ = Folder(events)

    def get(self, run_id, **_):
        class Run:
            id, model, task, status = run_id, "tiny-bert", "classification", "stopped"
        return Run()

    def folder(self, run):
        return self.folder_


class Q:
    def position(self, run_id):
        return 0


STOPPED = [{"type": "start", "total_steps": 40, "validation_rows": 5},
           {"type": "log", "step": 5, "elapsed": 5.0, "loss": 0.7, "epoch": 0.2},
           {"type": "log", "step": 10, "elapsed": 10.0, "loss": 0.6, "epoch": 0.4},
           {"type": "eval", "step": 10, "metrics": {"eval_loss": 0.5, "accuracy": 0.75}},
           {"type": "stopped", "step": 12}]


def test_an_ended_run_stops_the_timer_and_an_unchanged_tick_sends_nothing(monkeypatch):
    monkeypatch.setattr(train_step, "source_update", lambda *a, **k: {})
    monkeypatch.setattr(train_step, "followed", lambda *a, **k: {})
    events = STOPPED[:3]
    reg = Reg(events)
    first = train_step.poll(reg, Q(), "r", None, "en")
    assert "progress" in first and "timer" not in first
    again = train_step.poll(reg, Q(), "r", first["tail"], "en")
    assert again == {}  # nothing new: no update at all
    events += STOPPED[3:]
    ended = train_step.poll(reg, Q(), "r", first["tail"], "en")
    assert ended["message"] == ""  # "Asked the run to stop" does not outlive the run
    assert "ETA" not in ended["progress"]  # no "ETA 0 s" on an ended run
    assert "accuracy 0.75" in ended["status"].lower() and "step 10" in ended["status"]
    idle = train_step.poll(reg, Q(), "r", ended["tail"], "en")
    assert set(idle) == {"timer"} and idle["timer"].active is False
    assert train_step.poll(reg, Q(), "", None, "en")["timer"].active is False


def test_a_stopped_run_that_never_evaluated_says_so_without_numbers():
    tail = live.new_tail("r")
    for e in STOPPED[:3] + [STOPPED[-1]]:
        live.apply_event(tail, e)
    assert live.last_eval(tail) is None
    assert "stopped" in live.status_text(tail, "en")


def test_the_estimate_puts_back_what_stopped_applying_and_says_it(tmp_path):
    registry = Registry(tmp_path / "ws")
    state = data_state("translation_en_zh.csv")
    paths = ["train.packing", "train.epochs"]
    out = train_step.estimate(registry, state, model_state("tiny-t5", state), "en", paths,
                              ["true", 1])
    assert out["train.packing"]["value"] == "auto" and not out["train.packing"]["visible"]
    assert "Packing works for BERT-family" in out["message"]
    assert "steps per epoch" in out["estimate"]  # not refused


def test_every_reason_is_said_in_both_languages():
    from components.strings_en import EN
    from components.strings_zh import ZH
    for code in applies.REASONS:
        assert "applies_" + code in EN and "applies_" + code in ZH, code
