"""The event functions of each step, called as plain functions with the real engine and tiny
models: no browser. One tiny-bert run and one tiny-gpt run are trained through the JobQueue
(a child process, exactly as the UI starts them) and shared by the tests of the later steps."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from components import data_step, form, live, model_step, results, run_picker, runs_step, \
    train_step, try_step
from helpers import wait_for

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples"


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    from studio.inference import ModelCache
    from studio.launcher import JobQueue
    from studio.runs import Registry
    registry = Registry(tmp_path_factory.mktemp("ui-ws"))
    return registry, JobQueue(registry, max_parallel=2), ModelCache(4)


def data_state(path, lang="en", workspace=None):
    out = data_step.inspect_data(str(path), "", "auto", {}, lang, workspace)
    return out, out["state"]


def model_state(name, state, lang="en"):
    return model_step.model_info(name, state, lang)["model_state"]


def train_to_end(services, sample, model, **settings):
    """Submit through start_run and poll like the timer until the run ends."""
    registry, queue, _ = services
    _, state = data_state(SAMPLES / sample, workspace=registry.workspace)
    values = {"train.epochs": 1, "train.batch_size": 16, "train.eval_before": True,
              **settings}
    out = train_step.start_run(queue, state, model_state(model, state), "en", list(values),
                               list(values.values()))
    assert "submitted" in out["message"] and "python -m studio train" in out["command"]
    run_id, tail = out["run_id"], out["tail"]
    assert tail["offset"] == 0 and out["yaml_file"]["value"].endswith("job.yaml")
    offsets, deadline = [], time.time() + 240
    while time.time() < deadline:
        out = train_step.poll(registry, queue, run_id, tail, "en")
        # a tick with nothing new sends nothing (an idle tab did ~60 redraws/s)
        assert "progress" in out or set(out) <= {"timer"}
        if "tail" in out:  # only sent when something new was read
            tail = out["tail"]
            offsets.append(tail["offset"])
        if tail.get("final"):
            break
        time.sleep(0.5)
    assert tail.get("final"), "the run did not finish in time"
    assert offsets == sorted(offsets) and offsets[-1] > 0  # only forward: no re-reading
    return run_id, tail


@pytest.fixture(scope="module")
def bert_run(services):
    return train_to_end(services, "reviews_sentiment.csv", "tiny-bert")


@pytest.fixture(scope="module")
def gpt_run(services):
    return train_to_end(services, "assistant_chat.json", "tiny-gpt", **{"train.max_steps": 4})


# ---- data ----------------------------------------------------------------------------------

def test_data_step_reads_every_sample():
    for name, task in (("reviews_sentiment.csv", "classification"),
                       ("assistant_chat.json", "chat"), ("translation_en_zh.csv", "text2text")):
        out, state = data_state(SAMPLES / name)
        assert state["valid"] and state["task"] == task, name
        assert isinstance(out["table"]["value"], pd.DataFrame) and len(out["table"]["value"])
        chart = out["chart"]
        assert chart["visible"] and len(chart["value"]) >= 2


def test_data_step_shows_a_broken_file_as_one_sentence(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"text": "a", "label": "x"} {"text": "b"}]')
    for lang, words in (("en", "not valid JSON"), ("zh-CN", "不是有效的 JSON")):
        out, state = data_state(bad, lang)
        assert words in out["summary"] and "Traceback" not in out["summary"]
        assert state == {}


def test_data_step_role_override_and_problems(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("review,stars,extra\n" + "\n".join(
        f"text number {i},{'good' if i % 2 else 'bad'},x{i}" for i in range(30)) +
        "\ntext number 1,good,x1\n")
    out, state = data_state(f)
    assert state["roles"]["label"] == "stars"
    assert "repeat" in out["problems"]  # the duplicate row is reported in plain words
    roles_now = [state["roles"].get(r, "") for r in data_step.ROLES]
    roles_now[data_step.ROLES.index("text")] = "extra"
    overrides = data_step.overrides_from(roles_now, state)
    assert overrides == {"text": "extra"}
    again = data_step.inspect_data(str(f), "", "auto", overrides, "en")["state"]
    assert again["roles"]["text"] == "extra"


# ---- model ---------------------------------------------------------------------------------

def test_model_step_size_and_fit():
    from studio import jobs
    _, state = data_state(SAMPLES / "reviews_sentiment.csv")
    out = model_step.model_info("tiny-bert", state, "en")
    facts = jobs.model_facts("tiny-bert", "classification", state["labels"])
    mstate = out["model_state"]
    assert mstate["valid"] and out["train_tab"].interactive
    assert (mstate["parameters"], mstate["lora_trainable"], mstate["max_length"]) == (
        facts.parameters, facts.lora_trainable, facts.max_length)  # the engine's numbers
    assert mstate["parameters"] > 100_000 and 0 < mstate["lora_trainable"] < mstate["parameters"]
    assert "can learn classification" in out["info"]
    _, chat = data_state(SAMPLES / "assistant_chat.json")
    out = model_step.model_info("tiny-bert", chat, "zh-CN")
    assert out["model_state"] == {} and not out["train_tab"].interactive
    assert "BERT" in out["info"] and "不能生成文本" in out["info"]
    out = model_step.model_info("no-such-model", state, "en")
    assert out["model_state"] == {} and "not a preset" in out["info"]
    from studio.models import suggest
    assert suggest("chat") in ("smollm2-135m", "tiny-gpt")
    assert any(v == "tiny-t5" for _, v in model_step.preset_choices())


# ---- train ---------------------------------------------------------------------------------

def test_form_is_generated_from_the_config_metadata():
    meta = form.fields()
    adv = form.advanced_paths()
    assert "train.warmup_ratio" in adv and "method.lora_r" in adv
    assert "data.train_file" not in adv and "train.learning_rate" not in adv
    assert meta["train.batch_size"]["min"] == 1
    _, state = data_state(SAMPLES / "reviews_sentiment.csv")
    cfg = form.job_config(state, {"name": "tiny-bert"}, {"train.epochs": 2.0,
                                                         "train.batch_size": 8.0,
                                                         "train.learning_rate": None})
    assert cfg.train.epochs == 2.0 and cfg.train.batch_size == 8
    assert cfg.train.learning_rate is None and cfg.task == "classification"
    from studio.config import ConfigError
    with pytest.raises(ConfigError):
        form.job_config(state, {"name": "tiny-bert"}, {"train.batch_size": 0})


def test_start_refuses_without_data_or_with_bad_values(services):
    registry, queue, _ = services
    out = train_step.start_run(queue, {}, {}, "en", [], [])
    assert set(out) == {"message"} and "step 1" in out["message"]
    _, state = data_state(SAMPLES / "reviews_sentiment.csv")
    out = train_step.start_run(queue, state, {"name": "tiny-bert"}, "zh-CN",
                               ["train.batch_size"], [5000])
    assert set(out) == {"message"} and "批大小最多为 1024；5000 太大了。" in out["message"]
    assert not registry.list()


def test_estimate_shows_the_engine_preview(services):
    from studio import jobs
    registry, _, _ = services
    _, state = data_state(SAMPLES / "reviews_sentiment.csv")
    paths = ["train.epochs", "train.batch_size", "train.learning_rate", "train.max_length",
             "train.dropout"]
    out = train_step.estimate(registry, state, {"name": "tiny-bert"}, "en", paths,
                              [1, 16, "", "", ""])
    text = out["estimate"]
    assert "**180 training rows**, 20 for validation, 0 left out" in text
    assert "12 steps per epoch, **12 steps** in all (16 rows per step)" in text
    cfg = form.job_config(state, {"name": "tiny-bert"}, {"train.epochs": 1})
    p = jobs.preview(cfg)
    assert f"inputs cut at {p.cfg.train.max_length} tokens" in text
    assert out["train.learning_rate"]["placeholder"] == f"auto: {p.cfg.train.learning_rate:.4g}"
    assert out["train.max_length"]["placeholder"] == f"auto: {p.cfg.train.max_length}"
    assert out["train.dropout"]["placeholder"] == "auto: the model's own"
    assert "train.epochs" not in out  # only the 'decide for me' boxes get a placeholder


def test_estimate_uses_the_engine_split_not_its_own(services, tmp_path):
    """45 rows at 0.1: the engine holds out round(4.5) = 4, a ceil() in the page said 5."""
    import math
    from studio import jobs
    registry, _, _ = services
    f = tmp_path / "odd.csv"
    f.write_text("text,label\n" + "\n".join(
        f"review number {i} was {'good' if i % 2 else 'bad'},{'pos' if i % 2 else 'neg'}"
        for i in range(45)) + "\n")
    _, state = data_state(f)
    p = jobs.preview(form.job_config(state, {"name": "tiny-bert"}, {}))
    assert p.train_rows + p.validation_rows == 45
    assert p.train_rows != 45 - math.ceil(45 * 0.1)  # the case the page used to get wrong
    text = train_step.estimate(registry, state, {"name": "tiny-bert"}, "en", [], [])["estimate"]
    assert f"**{p.train_rows} training rows**, {p.validation_rows} for validation" in text
    assert f"**{p.total_steps} steps**" in text


@pytest.mark.heavy
def test_training_curves_progress_and_reattach(services, bert_run):
    registry, queue, _ = services
    run_id, tail = bert_run
    assert tail["final"]["type"] == "done"
    assert tail["loss"] and {p["series"] for p in tail["loss"]} == {"train", "eval"}
    assert {p["series"] for p in tail["metric"]} >= {"accuracy"}
    assert tail["lr"]
    loss = live.plot_value({**tail, "loss": tail["loss"][:1]}, "loss", "zh-CN")
    assert list(dict.fromkeys(loss["series"])) == ["训练", "验证"]  # both from the first table
    metric = live.plot_value(tail, "metric", "en")
    assert set(metric["series"]) == {"accuracy", "macro-F1"}
    assert metric["step"].nunique() >= 2  # before and after training: a line, not a dot
    assert live.plot_value(live.new_tail(run_id), "loss") is None  # a new run: empty chart
    assert "Step" in live.progress_html(tail, "en") and "finished" in live.status_text(tail, "en")
    # A reloaded page has no tail: the first tick rebuilds everything from offset 0.
    out = train_step.poll(registry, queue, run_id, None, "en")
    assert out["tail"]["offset"] == tail["offset"] and out["tail"]["final"] == tail["final"]
    assert out["command"] == "```bash\n" + train_step.cli_command(
        registry.folder(run_id), registry.workspace) + "\n```"
    assert "--workspace" in out["command"] and out["try_tab"].interactive
    assert out["try_source"]["value"] == run_id
    # Nothing new on an ended run: the next tick stops the timer and redraws nothing.
    out2 = train_step.poll(registry, queue, run_id, out["tail"], "en")
    assert set(out2) == {"timer"} and out2["timer"].active is False
    assert train_step.stop_run(queue, run_id, "en")["message"] == "ℹ This run is not running."


def test_stop_asks_then_kills(services):
    """The first Stop leaves the marker, the second kills the process at once. Both come right
    after the start, while the child is still importing torch, so the run cannot have ended
    on its own in between: the second answer is always 'killed'."""
    registry, queue, _ = services
    _, state = data_state(SAMPLES / "reviews_sentiment.csv", workspace=registry.workspace)
    run_id = train_step.start_run(queue, state, {"name": "tiny-bert"}, "en",
                                  ["train.epochs"], [50])["run_id"]
    pid = registry.get(run_id).pid
    assert registry.get(run_id).status == "running" and pid
    # Opened from the Runs step (a second browser): followed live on the Train step; the Try
    # step's list never gets a value it does not hold (gradio's "not in the list of choices").
    opened = runs_step.reopen(registry, [run_id], "en")
    assert opened["run_id"] == run_id and opened["tabs"].selected == "train"
    assert opened["train_tab"].interactive
    assert opened["try_source"]["value"] in [v for _, v in opened["try_source"]["choices"]] + [
        None] and opened["try_source"]["value"] != run_id
    first = train_step.stop_run(queue, run_id, "en")["message"]
    assert first == "⚠ Asked the run to stop at the next step. Click Stop again to kill it."
    assert registry.folder(run_id).stop_requested()
    second = train_step.stop_run(queue, run_id, "en")["message"]
    assert second == "⚠ The run was killed."
    run = registry.get(run_id)
    assert run.status == "stopped" and "Killed" in run.reason
    assert registry.folder(run_id).final_event()["type"] == "stopped"

    def gone() -> bool:  # the child is gone (a zombie until the queue reaps it)
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().split(") ")[-1][:1] == "Z"
        except OSError:
            return True
    wait_for(gone, 30, what="the killed run's process to end")
    third = train_step.stop_run(queue, run_id, "en")["message"]
    assert third == "ℹ This run is not running."


# ---- try -----------------------------------------------------------------------------------

@pytest.mark.heavy
def test_playground_classifies_and_compares(services, bert_run):
    registry, _, cache = services
    run_id, _ = bert_run
    out = try_step.open_run(registry, run_id, "en")
    assert out["cls_group"]["visible"] and not out["chat_group"]["visible"]
    assert not out["t2t_group"]["visible"] and out["cm_col"]["visible"]
    assert list(out["metrics"]["metric"]) == ["accuracy", "macro-F1", "eval loss"]
    assert out["confusion"] is not None and out["confusion"].size[0] > 100  # the picture
    assert set(out["errors"].columns) >= {"text", "label", "predicted"}
    out = try_step.classify_text(cache, registry, run_id, "Lovely food.", True, "en")
    tuned, base = out["tuned"], out["base"]
    assert set(tuned) == {"negative", "positive"} and abs(sum(tuned.values()) - 1) < 1e-4
    assert set(base) == set(tuned) and out["message"] == ""
    out = try_step.predict_batch(cache, registry, run_id,
                                 str(SAMPLES / "reviews_sentiment.csv"), "en")
    frame = pd.read_csv(out["batch_out"])
    assert len(frame) == 200 and "prediction" in frame and "Predicted 200" in out["message"]
    assert run_id in [v for _, v in run_picker.run_choices(registry)]


@pytest.mark.heavy
def test_playground_chat_streams(services, gpt_run):
    registry, _, cache = services
    run_id, tail = gpt_run
    assert tail["final"]["type"] == "done"
    out = try_step.open_run(registry, run_id, "en")
    assert out["chat_group"]["visible"] and not out["cls_group"]["visible"]
    assert out["confusion"] is None and out["errors"] is None
    assert out["smp_col"]["visible"] and set(out["samples"].columns) == {
        "prompt", "reference", "generated"}
    steps = list(try_step.chat_stream(cache, registry, run_id, "Hello?", [], [], "Be brief.",
                                      0.0, 1.0, 8, True, "en"))
    last = steps[-1]
    assert [m["role"] for m in last["history"]] == ["user", "assistant"]
    assert [m["role"] for m in last["base_history"]] == ["user", "assistant"]
    assert len(steps) >= 2 and last["chat_in"] == "" and last["message"] == ""


@pytest.mark.heavy
def test_playground_chat_keeps_talking(services, gpt_run):
    """Three turns with the longest replies the page allows: the history grows past the tiny
    GPT's positions, and each turn still answers (it used to fail 'index out of range')."""
    registry, _, cache = services
    run_id, _ = gpt_run
    history = []
    for text in ("Hello?", "And then?", "Thanks!"):
        steps = list(try_step.chat_stream(cache, registry, run_id, text, history, [], "",
                                          0.0, 1.0, 1024, False, "zh-CN"))
        last = steps[-1]
        assert last["message"] == "", last["message"]
        history = last["history"]
        assert history[-1]["role"] == "assistant" and history[-1]["content"].strip()
        assert len(steps) > 3  # streamed: one update per piece of the reply
    assert [m["role"] for m in history] == ["user", "assistant"] * 3


@pytest.mark.heavy
def test_the_engine_says_what_it_prepares(services, bert_run):
    registry, _, _ = services
    run_id, tail = bert_run
    stages = [e["stage"] for e in registry.folder(run_id).events() if e["type"] == "stage"]
    assert stages == ["tokenizing", "evaluating", "training", "final_eval", "saving"]
    assert tail["stage"] == "saving"


def test_playground_errors_are_sentences(services):
    registry, _, cache = services
    out = try_step.classify_text(cache, registry, "no-such-run", "x", False, "en")
    assert out["tuned"] is None and out["message"].startswith("✖ No run 'no-such-run'")
    out = try_step.classify_text(cache, registry, "", "", False, "en")
    assert out["message"] == "ℹ Type something first."


def test_confusion_matrix_picture():
    img = results.draw_matrix([[5, 1], [2, 7]], ["neg", "pos"], "rows: true")
    assert img.size[0] > 100 and img.size[1] > 100


# ---- runs ----------------------------------------------------------------------------------

@pytest.mark.heavy
def test_runs_history_overlay_reopen_delete(services, bert_run, gpt_run):
    registry, _, cache = services
    table = runs_step.history(registry, "zh-CN")
    assert "任务" in table.columns and len(table) >= 2
    ids = [bert_run[0], gpt_run[0]]
    plot = runs_step.overlay(registry, ids, "en")
    assert plot["series"].nunique() >= 3 and len(plot) > 2
    out = runs_step.reopen(registry, ids[:1], "en")
    assert out["run_id"] == ids[0] and out["try_source"]["value"] == ids[0]
    assert out["tabs"].selected == "try" and out["try_tab"].interactive
    assert set(runs_step.reopen(registry, [], "en")) == {"message"}
    out = runs_step.ask_delete(ids[1:], "en")
    assert out["confirm"]["visible"] and "cannot be undone" in out["message"]
    out = runs_step.delete_runs(registry, cache, ids[1:], "en")
    assert "Deleted 1" in out["message"] and registry.get(ids[1]) is None
    assert not out["confirm"]["visible"]
    listing = runs_step.refresh(registry, ids, "en")
    assert listing["pick"]["value"] == ids[:1] and ids[1] not in listing["pick"]["choices"]
