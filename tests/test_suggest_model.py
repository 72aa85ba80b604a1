"""One model suggestion (studio.models.suggest): `python -m studio train --data FILE` without
--model trains the model the page's Model step suggests for the same file, and says so."""
from __future__ import annotations

import pytest

from components import data_step, model_step
from studio import hub
from studio.cli import build_parser
from studio.jobargs import job_from_args

SAMPLES = __import__("conftest").ROOT / "assets" / "samples"
FILES = ["reviews_sentiment.csv", "assistant_chat.json", "translation_en_zh.csv"]


def page_suggestion(path) -> str:
    state = data_step.inspect_data(str(path), "", "auto", {}, "en")["state"]
    return model_step.on_data(state, {}, "", "en")["preset"]["value"]


def cli_job(*argv):
    return job_from_args(build_parser().parse_args(["train", *argv]))


@pytest.mark.parametrize("hub_offline", [True, False])
@pytest.mark.parametrize("name", FILES)
def test_train_without_model_uses_the_pages_suggestion(name, hub_offline, monkeypatch,
                                                       capsys):
    monkeypatch.setattr(hub, "hub_offline", lambda: hub_offline)  # Chinese data: both ways
    path = SAMPLES / name
    suggested = page_suggestion(path)
    cfg = cli_job("--data", str(path))
    assert cfg.model.name == suggested
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(f"No --model given: training {suggested}, ")


def test_chinese_data_gets_a_chinese_capable_suggestion_online(monkeypatch, capsys):
    monkeypatch.setattr(hub, "hub_offline", lambda: False)
    cfg = cli_job("--data", str(SAMPLES / "translation_en_zh.csv"))
    from studio.models import PRESETS
    assert PRESETS[cfg.model.name].chinese


def test_a_chosen_model_is_kept_and_nothing_is_said(capsys):
    path = str(SAMPLES / "reviews_sentiment.csv")
    assert cli_job("--data", path, "--model", "tiny-gpt").model.name == "tiny-gpt"
    assert cli_job("--data", path, "model.name=tiny-t5").model.name == "tiny-t5"
    assert capsys.readouterr().out == ""


def test_no_data_and_no_job_still_says_what_to_give():
    from studio.jobargs import UserError
    with pytest.raises(UserError, match="--data"):
        cli_job()
