"""Settings suggested before training, in the engine's preview (`Preview.suggested`) and on
the Train step: each value with its rule's reason, and "Use suggested settings", whose one
click sets exactly those fields of the form and names what changed."""
from __future__ import annotations

import pandas as pd
import pytest

from components import data_step, model_step, suggest_view, train_step
from conftest import toy_sentiment
from helpers import make_job
from studio import jobs
from studio.runs import Registry


def sentiment(tmp_path, rows: int):
    path = tmp_path / f"reviews_{rows}.csv"
    pd.DataFrame(toy_sentiment(rows, seed=rows)).to_csv(path, index=False)
    return path


def by_path(preview) -> dict:
    return {s["path"]: s for s in preview.suggested}


@pytest.mark.parametrize("rows, epochs, batch, epochs_code, batch_code", [
    (150, 10, 8, "epochs_few_rows", "batch_tiny"),            # few rows: more, smaller steps
    (1500, 3, 16, "epochs_classification", "batch_default")])  # BERT's 3 epochs, batch 16
def test_the_preview_suggests_settings_for_the_model_and_the_data(tmp_path, rows, epochs,
                                                                  batch, epochs_code,
                                                                  batch_code):
    cfg = make_job(sentiment(tmp_path, rows), "tiny-bert", "classification",
                   method__method="full")
    p = jobs.preview(cfg)
    s = by_path(p)
    assert set(s) == {"train.learning_rate", "train.epochs", "train.batch_size"}
    # tiny-bert has ~0.1M parameters, a random-weight toy: the small-model rule
    assert s["train.learning_rate"]["value"] == 1e-3
    assert s["train.learning_rate"]["code"] == "lr_small_model"
    assert (s["train.epochs"]["value"], s["train.epochs"]["code"]) == (epochs, epochs_code)
    assert (s["train.batch_size"]["value"], s["train.batch_size"]["code"]) == (batch,
                                                                               batch_code)
    assert f"{p.train_rows} rows" in s["train.epochs"]["reason"] or rows >= 1000
    assert p.to_dict()["suggested"] == p.suggested  # also in `preview --json`


def test_lora_on_a_decoder_gets_the_lora_rate(tmp_path, data_dir):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", method__method="lora")
    s = by_path(jobs.preview(cfg))
    # under 10M parameters the small-model rule comes first, whatever the method
    assert s["train.learning_rate"]["code"] == "lr_small_model"
    from studio.advisor.suggest import suggest
    lora = {x["path"]: x for x in suggest("chat", "gpt", "lora", 5000, 135_000_000)}
    assert lora["train.learning_rate"]["value"] == 2e-4
    assert "Hu et al. 2021" in lora["train.learning_rate"]["reason"]


PATHS = ["train.learning_rate", "train.epochs", "train.batch_size", "train.max_steps"]
USER = ["", 3.0, 16, -1]  # learning rate left to the engine ("decide for me")


def page_estimate(tmp_path, lang="en", rows=150):
    state = data_step.inspect_data(str(sentiment(tmp_path, rows)), "", "auto", {}, lang,
                                   None)["state"]
    mstate = model_step.model_info("tiny-bert", state, lang)["model_state"]
    return train_step.estimate(Registry(tmp_path / "ws"), state, mstate, lang, PATHS, USER)


def test_the_train_step_shows_the_suggestion_and_one_click_fills_the_form(tmp_path):
    out = page_estimate(tmp_path)
    assert out["suggest_apply"]["visible"] is True
    text = out["suggested"]
    assert "Suggested for this model and data" in text
    assert "Epochs **10**: " in text and "Mosbach et al. 2021" in text
    assert "Batch size **8**: " in text and "Learning rate **0.001**: " in text
    state = out["suggest_state"]
    assert state["resolved"]["train.learning_rate"] == 1e-3  # tiny-bert's preset rate

    clicked = suggest_view.apply_suggested(state, PATHS, USER, "en")
    assert set(clicked) == {"train.learning_rate", "train.epochs", "train.batch_size",
                            "suggest_message"}  # max_steps stays the user's
    assert clicked["train.epochs"]["value"] == 10 and clicked["train.batch_size"]["value"] == 8
    assert clicked["train.learning_rate"]["value"] == "0.001"  # a 'decide for me' text box
    message = clicked["suggest_message"]
    assert "Epochs 3 → 10" in message and "Batch size 16 → 8" in message
    assert "Learning rate" not in message  # the engine's own rate already: not a change

    # clicked again with the form as the click left it: nothing changes, and it says so
    again = suggest_view.apply_suggested(state, PATHS, ["0.001", 10, 8, -1], "en")
    assert "already has the suggested settings" in again["suggest_message"]


def test_the_suggestion_in_chinese(tmp_path):
    out = page_estimate(tmp_path, "zh-CN")
    assert "针对该模型和数据的建议设置" in out["suggested"]
    assert "行数据很少" in out["suggested"] and "Mosbach 等 2021" in out["suggested"]
    clicked = suggest_view.apply_suggested(out["suggest_state"], PATHS, USER, "zh-CN")
    assert "训练轮数 3 → 10" in clicked["suggest_message"]
    assert "批大小 16 → 8" in clicked["suggest_message"]


def test_no_suggestion_without_data_and_nothing_to_apply(tmp_path):
    out = train_step.estimate(Registry(tmp_path / "ws"), {}, {}, "en", PATHS, USER)
    assert out["suggested"] == "" and out["suggest_apply"]["visible"] is False
    assert "choose the data and the model" in suggest_view.apply_suggested(
        None, PATHS, USER, "en")["suggest_message"]


def test_every_rule_has_a_chinese_reason_with_the_same_numbers():
    import string

    from components.strings_zh import ZH_SUGGEST
    from studio.advisor.suggest import REASONS
    assert set(ZH_SUGGEST) == set(REASONS)
    for code, text in REASONS.items():
        names = {f[1] for f in string.Formatter().parse(text) if f[1]}
        zh = {f[1] for f in string.Formatter().parse(ZH_SUGGEST[code]) if f[1]}
        assert zh == names, code
