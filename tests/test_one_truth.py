"""One job, two doors: the page's untouched form and the CLI quick form describe the same job.

For every task x model family cell, the JobConfig the page builds (the Data and Model steps'
states and the values the real widgets start with, through `form.job_config`) equals field by
field what `python -m studio train --data F --model M --task T` builds; the engine resolves
both to the same job, and `Registry.new_run` writes the same job.yaml bytes for both. Where
the family cannot learn the task, the page and the CLI refuse with the same ModelError.
"""
from __future__ import annotations

import gradio as gr
import pytest

from components import data_step, form, model_step, train_step
from components.common import box
from components.i18n import error_text
from studio import cli, jobargs, jobs
from studio.config import iter_fields
from studio.errors import ModelError
from studio.runs import Registry

FILES = {"classification": "sentiment.csv", "chat": "chat.json", "text2text": "pairs.csv"}
MODELS = ("tiny-bert", "tiny-gpt", "tiny-t5")
REFUSED = {("chat", "tiny-bert"), ("text2text", "tiny-bert")}
CELLS = [(task, model) for task in FILES for model in MODELS]


def widget_values() -> dict:
    """What the Train step's widgets send when nobody touched them."""
    with gr.Blocks():
        widgets = form.build_widgets()
    return {path: w.preprocess(w.value) for path, w in widgets.items()}


def data_state(path) -> dict:
    """The Data step's state for a file, as the page keeps it (the path as given)."""
    return data_step.inspect_data(str(path), "", "auto", {}, "en")["state"]


def cli_job(path, model, task):
    args = cli.build_parser().parse_args(["train", "--data", str(path), "--model", model,
                                          "--task", task])
    return jobargs.job_from_args(args)


def differences(a, b) -> list[str]:
    right = {p: v for p, _, v in iter_fields(b)}
    return [f"{p}: page {v!r} != cli {right[p]!r}" for p, _, v in iter_fields(a)
            if v != right[p] or type(v) is not type(right[p])]


@pytest.mark.parametrize("task, model", CELLS, ids=[f"{t}-{m}" for t, m in CELLS])
@pytest.mark.heavy
def test_page_and_cli_build_the_same_job(task, model, data_dir, tmp_path):
    path = (data_dir / FILES[task]).resolve()
    state = data_state(path)
    assert state["valid"] and state["task"] == task and state["path"] == str(path)
    cli_cfg = cli_job(path, model, task)
    if (task, model) in REFUSED:
        with pytest.raises(ModelError) as cli_refusal:
            jobs.preview(cli_cfg)
        with pytest.raises(ModelError) as page_refusal:
            jobs.model_facts(model, task, state.get("labels", []))
        assert (page_refusal.value.code, str(page_refusal.value)) == (
            cli_refusal.value.code, str(cli_refusal.value))
        shown = model_step.model_info(model, state, "en")
        assert shown["model_state"] == {} and not shown["train_tab"].interactive
        assert shown["info"] == box(error_text(cli_refusal.value, "en"))
        return

    mstate = model_step.model_info(model, state, "en")["model_state"]
    assert mstate["valid"] and mstate["name"] == model
    page_cfg = form.job_config(state, mstate, widget_values())
    assert differences(page_cfg, cli_cfg) == []
    assert page_cfg.train.dropout is None and cli_cfg.train.dropout is None

    page_p, cli_p = jobs.preview(page_cfg), jobs.preview(cli_cfg)
    assert differences(page_p.cfg, cli_p.cfg) == []
    assert page_p.cfg.train.dropout is None  # the model keeps its own dropout
    assert page_p.to_dict() == cli_p.to_dict()

    registry = Registry(tmp_path / "ws")
    page_run, cli_run = registry.new_run(page_cfg), registry.new_run(cli_cfg)
    page_yaml = registry.folder(page_run).job_file.read_bytes()
    assert page_yaml == registry.folder(cli_run).job_file.read_bytes()
    assert b"dropout: null" in page_yaml

    # What the page shows is that same preview.
    shown = train_step.estimate(registry, state, mstate, "en", *zip(*widget_values().items()))
    assert f"**{page_p.train_rows} training rows**" in shown["estimate"]
    assert f"**{page_p.total_steps} steps**" in shown["estimate"]
