"""The browser walk's findings, the items about what a sentence or a page offers: a data warning that
names a control the page has, a file without a label column that claims no task, a delete
question with Cancel, a page that says a run of its owner is training, and setting errors on
the Chinese page that name the setting by its label and its value in words."""
from __future__ import annotations

import asyncio

import gradio as gr
import pytest
from gradio.state_holder import SessionState

from components import active_notice, runs_step
from components.data_step import inspect_data
from components.i18n import error_text, problem_text, tr
from studio.config import JobConfig
from studio.data import inspect_file
from studio.runs import Registry


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_a_conflicting_label_warning_names_what_the_page_offers(tmp_path):
    rows = ["great film,positive", "great film,negative"] + \
        [f"review number {i},{'positive' if i % 2 else 'negative'}" for i in range(20)]
    csv = write(tmp_path / "sst.csv", "sentence,label\n" + "\n".join(rows) + "\n")
    conflict = next(p for p in inspect_file(csv).problems if p.kind == "conflicting_label")
    english, chinese = problem_text(conflict, "en"), problem_text(conflict, "zh-CN")
    # The page has no "exclude" choice for this warning; it has the file and Check labels.
    assert "choose exclude" not in english and "选择排除" not in chinese
    assert tr("en", "labels_check") in english and tr("zh-CN", "labels_check") in chinese


def test_placeholder_and_whitespace_warnings_name_no_missing_choice(tmp_path):
    from studio.wording.en import PROBLEMS as MESSAGES
    from components.strings_zh import ZH_PROBLEMS
    for key in (("placeholder", "warning"), ("label_whitespace", "warning")):
        assert "choose" not in MESSAGES[key] and "选择" not in ZH_PROBLEMS[key]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_file_without_a_label_column_claims_no_task(tmp_path, lang):
    csv = write(tmp_path / "one.csv", "message\nhello there\nbuy now cheap\nsee you soon\n")
    shown = inspect_data(str(csv), "", "auto", {}, lang)
    assert tr(lang, "task_classification") not in shown["summary"]
    assert "Task" not in shown["summary"] and "任务" not in shown["summary"]
    assert not shown["state"]["valid"]
    problems = shown["problems"].strip().splitlines()
    assert len(problems) == 1  # one sentence: what is missing and what to do
    if lang == "en":
        assert "No label column was found (columns: message); add a label column" in problems[0]
    else:
        assert "没有找到" in problems[0] and "message" in problems[0]


def test_a_file_with_its_label_column_still_says_its_task(tmp_path):
    csv = write(tmp_path / "two.csv", "text,label\n" + "\n".join(
        f"row {i},{'a' if i % 2 else 'b'}" for i in range(10)) + "\n")
    assert "Task: **" + tr("en", "task_classification") in \
        inspect_data(str(csv), "", "auto", {}, "en")["summary"]


def test_the_delete_question_has_cancel():
    asked = runs_step.ask_delete(["r1"], "en")
    assert asked["confirm"]["visible"] is True and asked["cancel"]["visible"] is True
    cancelled = runs_step.cancel_delete("en")
    assert cancelled == {"message": "", "confirm": gr.update(visible=False),
                         "cancel": gr.update(visible=False)}
    assert runs_step.ask_delete([], "en")["cancel"]["visible"] is False
    assert tr("en", "runs_cancel_delete") == "Cancel" and tr("zh-CN", "runs_cancel_delete") == "取消"


def a_run(registry, status, owner=None):
    cfg = JobConfig()
    cfg.data.train_file, cfg.task, cfg.model.name = "reviews.csv", "classification", "tiny-bert"
    run = registry.new_run(cfg, **({"owner": owner} if owner else {}))
    registry.update(run.id, status=status)
    return run


def test_a_new_page_says_a_run_is_training_and_follows_it(tmp_path):
    registry = Registry(tmp_path / "ws")
    assert active_notice.notice(registry, "", "en")["follow"]["visible"] is False
    a_run(registry, "done")
    assert active_notice.notice(registry, "", "en")["follow"]["visible"] is False
    run = a_run(registry, "running")
    shown = active_notice.notice(registry, "", "en")
    assert shown["notice"]["visible"] and shown["follow"]["visible"] and shown["active"] == run.id
    assert "running" in shown["notice"]["value"]
    assert "训练中" in active_notice.notice(registry, "", "zh-CN")["notice"]["value"]
    # A page that follows that run already opens on Train: no notice.
    assert active_notice.notice(registry, run.id, "en")["follow"]["visible"] is False
    followed = active_notice.follow(registry, run.id, "en")
    assert followed["run_id"] == run.id and followed["notice"]["visible"] is False
    registry.update(run.id, status="done")  # finished before the click: the notice just goes
    assert "run_id" not in active_notice.follow(registry, run.id, "en")


def test_only_the_owners_active_runs_count(tmp_path):
    registry = Registry(tmp_path / "ws")
    a_run(registry, "running", owner="someone-else")
    assert active_notice.notice(registry, "", "en", owner_value="me")["active"] == ""
    assert active_notice.notice(registry, "", "en", owner_value="someone-else")["active"]


def test_the_page_shows_the_notice_on_load(tmp_path):
    from components.ui import build_ui
    from studio.inference import ModelCache
    from studio.launcher import JobQueue
    registry = Registry(tmp_path)
    run = a_run(registry, "running")
    demo = build_ui(registry, JobQueue(registry), ModelCache(1))
    ids = {getattr(b, "elem_id", None): b for b in demo.blocks.values()}
    assert {"active-notice", "active-follow", "runs-cancel"} <= set(ids)
    notice_id = ids["active-notice"]._id
    fn = next(f for f in demo.fns.values()
              if any(t[1] == "load" for t in f.targets) and
              notice_id in [o._id for o in f.outputs])
    request = gr.Request(headers={"accept-language": "zh-CN,zh;q=0.9"})
    out = asyncio.run(demo.process_api(block_fn=fn, inputs=[""], state=SessionState(demo),
                                       request=request))["data"]
    assert any(isinstance(o, dict) and run.name in str(o.get("value", "")) and
               "训练中" in str(o.get("value")) for o in out), out


def test_a_setting_error_on_the_chinese_page_names_the_setting_and_its_value(monkeypatch):
    from studio.errors import ConfigError
    from studio.jobs import plan
    from studio.tasks import packing
    cfg = JobConfig()
    cfg.task, cfg.train.packing = "text2text", True
    monkeypatch.setattr(packing, "supports_job", lambda task, model: False)  # e.g. T5
    with pytest.raises(ConfigError) as err:
        plan.resolve_packing(cfg, object())
    assert err.value.code == "packing_unsupported"
    text = error_text(err.value, "zh-CN")
    assert "train.packing" not in text and "false" not in text
    assert tr("zh-CN", "field_train.packing") in text and tr("zh-CN", "choice_false") in text
    note = tr("zh-CN", "method_auto_lora", model="m", params="1 亿", threshold="1 亿")
    assert "method.method" not in note and tr("zh-CN", "choice_full") in note
