"""The event functions of each step, called as plain functions with the real engine and tiny
models: no browser. One tiny-bert run and one tiny-gpt run are trained through the JobQueue
(a child process, exactly as the UI starts them) and shared by the tests of the later steps."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from components import data_step, form, live, model_step, results, runs_step, train_step, \
    try_step

SAMPLES = Path(__file__).resolve().parents[1] / "assets" / "samples"
ROLES = len(data_step.ROLES)


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    from studio.inference import ModelCache
    from studio.launcher import JobQueue
    from studio.runs import Registry
    registry = Registry(tmp_path_factory.mktemp("ui-ws"))
    return registry, JobQueue(registry, max_parallel=2), ModelCache(4)


def data_state(path, lang="en", workspace=None):
    out = data_step.inspect_data(str(path), "", "auto", {}, lang, workspace)
    return out, out[-2]


def train_to_end(services, sample, model, **settings):
    """Submit through start_run and poll like the timer until the run ends."""
    registry, queue, _ = services
    _, state = data_state(SAMPLES / sample, workspace=registry.workspace)
    _, mstate, _ = model_step.model_info(model, state, "en")
    values = {"train.epochs": 1, "train.batch_size": 16, "train.eval_before": True,
              **settings}
    run_id, tail, message, command, yaml_file = train_step.start_run(
        queue, state, mstate, "en", list(values), list(values.values()))
    assert "submitted" in message and "python -m studio train" in command
    offsets, deadline = [], time.time() + 240
    while time.time() < deadline:
        out = train_step.poll(registry, queue, run_id, tail, "en")
        if "offset" in out[6]:  # a new tail; gr.skip() (an update dict) when nothing changed
            tail = out[6]
            offsets.append(tail["offset"])
        if tail.get("final"):
            break
        time.sleep(0.5)
    assert tail.get("final"), "the run did not finish in time"
    assert offsets == sorted(offsets)  # the offset only moves forward: no re-reading
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
        assert isinstance(out[1]["value"], pd.DataFrame) and len(out[1]["value"])
        chart = out[2 + ROLES + 1]
        assert chart["visible"] and len(chart["value"]) >= 2


def test_data_step_shows_a_broken_file_as_one_sentence(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"text": "a", "label": "x"} {"text": "b"}]')
    for lang, words in (("en", "not valid JSON"), ("zh-CN", "不是有效的 JSON")):
        out, state = data_state(bad, lang)
        assert words in out[0] and "Traceback" not in out[0]
        assert state == {}


def test_data_step_role_override_and_problems(tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("review,stars,extra\n" + "\n".join(
        f"text number {i},{'good' if i % 2 else 'bad'},x{i}" for i in range(30)) +
        "\ntext number 1,good,x1\n")
    out, state = data_state(f)
    assert state["roles"]["label"] == "stars"
    assert "repeat" in out[-3]  # the duplicate row is reported in plain words
    roles_now = [state["roles"].get(r, "") for r in data_step.ROLES]
    roles_now[data_step.ROLES.index("text")] = "extra"
    overrides = data_step.overrides_from(roles_now, state)
    assert overrides == {"text": "extra"}
    _, again = data_state(f) if False else (None, data_step.inspect_data(
        str(f), "", "auto", overrides, "en")[-2])
    assert again["roles"]["text"] == "extra"


# ---- model ---------------------------------------------------------------------------------

def test_model_step_size_and_fit():
    _, state = data_state(SAMPLES / "reviews_sentiment.csv")
    text, mstate, _ = model_step.model_info("tiny-bert", state, "en")
    assert mstate["valid"] and mstate["parameters"] > 100_000 and mstate["lora_trainable"] > 0
    assert "can learn classification" in text
    _, chat = data_state(SAMPLES / "assistant_chat.json")
    text, mstate, _ = model_step.model_info("tiny-bert", chat, "zh-CN")
    assert mstate == {} and "BERT" in text and "不能生成文本" in text
    text, mstate, _ = model_step.model_info("no-such-model", state, "en")
    assert mstate == {} and "not a preset" in text
    assert model_step.suggest("chat") in ("smollm2-135m", "tiny-gpt")
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
    assert "step 1" in out[2]
    _, state = data_state(SAMPLES / "reviews_sentiment.csv")
    out = train_step.start_run(queue, state, {"name": "tiny-bert"}, "zh-CN",
                               ["train.batch_size"], [5000])
    assert "batch_size" in out[2] and not registry.list()


def test_estimate_counts_steps(services):
    registry, _, _ = services
    _, state = data_state(SAMPLES / "reviews_sentiment.csv")
    text = train_step.estimate(registry, state, {"name": "tiny-bert"}, "en",
                               ["train.epochs", "train.batch_size"], [1, 16])
    assert "12 steps" in text and "180 training rows" in text


def test_training_curves_progress_and_reattach(services, bert_run):
    registry, queue, _ = services
    run_id, tail = bert_run
    assert tail["final"]["type"] == "done"
    assert tail["loss"] and {p["series"] for p in tail["loss"]} == {"train", "eval"}
    assert {p["series"] for p in tail["metric"]} >= {"accuracy"}
    assert tail["lr"]
    loss = live.plot_value({**tail, "loss": tail["loss"][:1]}, "loss")
    assert set(loss["series"]) == {"train", "eval"}  # every series from the first table on
    assert "Step" in live.progress_html(tail, "en") and "finished" in live.status_text(tail, "en")
    # A reloaded page has no tail: the first tick rebuilds everything from offset 0.
    out = train_step.poll(registry, queue, run_id, None, "en")
    assert out[6]["offset"] == tail["offset"] and "python -m studio train" in out[9]
    # Nothing new: the next tick sends nothing but the progress line.
    out2 = train_step.poll(registry, queue, run_id, out[6], "en")
    assert "offset" not in out2[6] and "offset" not in out2[0]
    assert "already done" in train_step.stop_run(queue, run_id, "en") or \
        "not running" in train_step.stop_run(queue, run_id, "en")


def test_stop_asks_then_kills(services):
    registry, queue, _ = services
    _, state = data_state(SAMPLES / "reviews_sentiment.csv", workspace=registry.workspace)
    run_id, *_ = train_step.start_run(queue, state, {"name": "tiny-bert"}, "en",
                                      ["train.epochs"], [50])
    assert "stop" in train_step.stop_run(queue, run_id, "en")
    time.sleep(0.5)
    second = train_step.stop_run(queue, run_id, "en")
    assert "killed" in second or "not running" in second
    deadline = time.time() + 60
    while registry.get(run_id).status in ("queued", "running") and time.time() < deadline:
        time.sleep(0.5)
    assert registry.get(run_id).status == "stopped"


# ---- try -----------------------------------------------------------------------------------

def test_playground_classifies_and_compares(services, bert_run):
    registry, _, cache = services
    run_id, _ = bert_run
    out = try_step.open_run(registry, run_id, "en")
    assert out[1]["visible"] and not out[2]["visible"]
    assert list(out[4]["metric"]) == ["accuracy", "macro_f1", "eval_loss"]
    assert out[5] is not None and out[5].size[0] > 100  # the confusion matrix picture
    assert set(out[6].columns) >= {"text", "label", "predicted"}
    tuned, base, msg = try_step.classify_text(cache, registry, run_id, "Lovely food.", True,
                                              "en")
    assert set(tuned) == {"negative", "positive"} and abs(sum(tuned.values()) - 1) < 1e-4
    assert set(base) == set(tuned) and msg == ""
    path, msg = try_step.predict_batch(cache, registry, run_id,
                                       str(SAMPLES / "reviews_sentiment.csv"), "en")
    frame = pd.read_csv(path)
    assert len(frame) == 200 and "prediction" in frame and "Predicted 200" in msg
    assert try_step.run_choices(registry)[0][1] in {r.id for r in registry.list()}


def test_playground_chat_streams(services, gpt_run):
    registry, _, cache = services
    run_id, tail = gpt_run
    assert tail["final"]["type"] == "done"
    out = try_step.open_run(registry, run_id, "en")
    assert out[2]["visible"] and not out[1]["visible"]
    steps = list(try_step.chat_stream(cache, registry, run_id, "Hello?", [], [], "Be brief.",
                                      0.0, 1.0, 8, True, "en"))
    history, base_history, box, msg = steps[-1]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert [m["role"] for m in base_history] == ["user", "assistant"]
    assert len(steps) >= 2 and box == "" and msg == ""


def test_playground_errors_are_sentences(services):
    registry, _, cache = services
    tuned, base, msg = try_step.classify_text(cache, registry, "no-such-run", "x", False, "en")
    assert tuned is None and "No run" in msg
    assert "Type something" in try_step.classify_text(cache, registry, "", "", False, "en")[2]


def test_confusion_matrix_picture():
    img = results.draw_matrix([[5, 1], [2, 7]], ["neg", "pos"], "rows: true")
    assert img.size[0] > 100 and img.size[1] > 100


# ---- runs ----------------------------------------------------------------------------------

def test_runs_history_overlay_reopen_delete(services, bert_run, gpt_run):
    registry, _, cache = services
    table = runs_step.history(registry, "zh-CN")
    assert "任务" in table.columns and len(table) >= 2
    ids = [bert_run[0], gpt_run[0]]
    plot = runs_step.overlay(registry, ids, "en")
    assert plot["series"].nunique() >= 3 and len(plot) > 2
    rid, source, _, tabs, _ = runs_step.reopen(registry, ids[:1], "en")
    assert rid == ids[0] and source["value"] == ids[0]
    msg, confirm = runs_step.ask_delete(ids[1:], "en")
    assert confirm["visible"] and "cannot be undone" in msg
    msg, confirm = runs_step.delete_runs(registry, cache, ids[1:], "en")
    assert "Deleted 1" in msg and registry.get(ids[1]) is None
