"""A rating session between two tiny chat runs trained here, driven through the rating panel's
handlers like the page does: prompts from the validation samples or typed, a seeded blind
order, answers made once, ten votes whose win rate comes out right, and the reveal naming the
runs; a base model and another owner's runs are checked by the engine."""
from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from components import rating_panel as rp
from helpers import make_job, train_in_process
from studio.inference import ModelCache
from studio.ratings import RatingSession, RatingStore, new_session, pair_rows
from studio.ratings.store import RatingError
from studio.runfolder import RunFolder

PROMPTS = [f"Say word number {i}" for i in range(10)]


@pytest.fixture(scope="module")
def two_runs(data_dir, tmp_path_factory):
    ws = tmp_path_factory.mktemp("rating-ws")
    ids = []
    for name, lr in (("alpha", 5e-4), ("beta", 1e-3)):
        cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", name=name,
                       train__max_steps=2, train__batch_size=8, train__learning_rate=lr)
        code, run_dir, registry = train_in_process(cfg, ws)
        assert code == 0
        ids.append(run_dir.name)
    return registry, ids, ModelCache(3)


@pytest.mark.heavy
def test_validation_prompts_come_from_the_runs_samples(two_runs):
    registry, (a, b), _ = two_runs
    session = new_session(registry, a, b, seed=1)
    samples = [s["prompt"] for s in RunFolder(registry.get(a).run_dir).outputs("samples")]
    assert samples and session.prompts == list(dict.fromkeys(samples))
    assert session.task == "chat" and session.names == {a: "alpha", b: "beta"}
    assert new_session(registry, a, b, seed=1).first == session.first  # seeded order


@pytest.mark.heavy
def test_ten_votes_through_the_panel_give_the_pairs_win_rate(two_runs):
    registry, (a, b), models = two_runs
    started = rp.start(registry, a, b, "typed", "\n".join(PROMPTS), None, "en", seed=3)
    session, index = started["rate_session"], started["rate_index"]
    assert "10 prompts to rate" in started["rate_status"]
    s = RatingSession.from_dict(session)
    assert set(s.first) == {"a", "b"}  # both orders occur: the position tells nothing
    plan = ["alpha"] * 7 + ["beta"] * 2 + ["tie"]
    for i, want in enumerate(plan):
        shown = rp.show(registry, models, session, index, "en")
        assert shown["rate_prompt"] == PROMPTS[i]
        assert "alpha" not in shown["rate_status"] and "beta" not in shown["rate_status"]
        left, right = (s.names[s.ref(side)] for side in s.order(i))
        choice = "tie" if want == "tie" else ("left" if want == left else "right")
        out = rp.vote(registry, session, index, choice, shown["rate_answers"], "en")
        assert f"A was {left}, B was {right}" in out["rate_reveal"]
        again = rp.vote(registry, session, index, "left", out["rate_answers"], "en")
        assert "already has your vote" in again["rate_reveal"]
        index = rp.next_prompt(index)["rate_index"]
    assert "All 10 prompts are rated" in rp.show(registry, models, session, index,
                                                 "en")["rate_status"]
    ratings = RatingStore(registry.workspace).for_pair(a, b)
    assert len(ratings) == 10 and {r.session for r in ratings} == {s.id}
    [pair] = pair_rows(ratings, s.names)
    assert (pair.name_a, pair.wins, pair.losses, pair.ties) == ("alpha", 7, 2, 1)
    assert math.isclose(pair.win_rate.value, 7 / 9)
    assert math.isclose(pair.p_value, binomtest(7, 9).pvalue)
    assert "alpha wins 77.8% of decisive votes against beta" in out["rate_reveal"]


def test_a_reload_shows_the_cached_answers_without_generating(two_runs, monkeypatch):
    registry, (a, b), models = two_runs
    import studio.inference as inference
    calls = []
    real = inference.generate_text

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(inference, "generate_text", counted)
    session = rp.start(registry, a, b, "typed", "A prompt nobody typed before", None, "en",
                       seed=0)["rate_session"]
    first = rp.show(registry, models, session, 0, "en")
    assert len(calls) == 2  # one answer per side
    reloaded = rp.show(registry, models, session, 0, "en")
    assert len(calls) == 2
    assert (reloaded["rate_left"], reloaded["rate_right"]) == (first["rate_left"],
                                                               first["rate_right"])


def test_a_run_against_its_base_model_and_what_is_refused(two_runs):
    registry, (a, b), models = two_runs
    started = rp.start(registry, a, "base:tiny-gpt", "typed", "Hello", None, "en", seed=0)
    session = started["rate_session"]
    shown = rp.show(registry, models, session, 0, "en")
    out = rp.vote(registry, session, 0, "right", shown["rate_answers"], "en")
    assert "base model tiny-gpt" in out["rate_reveal"] and "alpha" in out["rate_reveal"]
    with pytest.raises(RatingError) as wrong:
        new_session(registry, a, "base:tiny-t5", prompts=["x"])
    assert wrong.value.code == "rating_wrong_base"
    refused = rp.start(registry, a, b, "typed", "Hi", None, "en", owner_value="mallory")
    assert "No run" in refused["rate_status"] and "rate_session" not in refused
    # A session kept in someone else's browser reaches no run and stores no vote.
    before = len(RatingStore(registry.workspace).list())
    denied = rp.vote(registry, session, 0, "left", {**shown["rate_answers"], "voted": False},
                     "en", owner_value="mallory")
    assert "No run" in denied["rate_reveal"]
    assert len(RatingStore(registry.workspace).list()) == before
    assert RatingStore(registry.workspace).list("mallory") == []
    zh = rp.start(registry, a, a, "typed", "Hi", None, "zh-CN")
    assert "两个不同" in zh["rate_status"]


def test_the_pickers_list_chat_runs_and_their_base_model(two_runs):
    registry, (a, b), _ = two_runs
    values = [v for _, v in rp.pair_choices(registry, None, "en")]
    assert set(values) == {a, b, "base:tiny-gpt"}
    assert rp.pair_choices(registry, "mallory", "en") == []


def test_the_panel_builds_and_its_shortcuts_press_its_buttons(tmp_path):
    import re

    import gradio as gr

    from components.common import Ctx
    from studio.runs import Registry
    with gr.Blocks() as demo:
        ctx = Ctx(Registry(tmp_path), None, ModelCache(1), lang=gr.State("en"))
        parts = rp.build(ctx)
    assert set(parts) >= {"run_a", "run_b", "status"}
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    pressed = set(re.findall(r'"(rate-[a-z-]+)"', rp.SHORTCUTS_JS))
    assert pressed == {"rate-left", "rate-right", "rate-tie", "rate-both-bad", "rate-next"}
    assert pressed <= ids
    assert any(d.js and "__studioRatingKeys" in d.js for d in demo.fns.values())


def test_keys_the_panel_builds_at_run_time_are_translated():
    from components.strings_en import EN
    from components.strings_zh import ZH, ZH_ERRORS
    keys = {f"rate_button_{c}" for c in rp.CHOICES} | {f"rate_choice_{c}" for c in rp.CHOICES}
    keys |= {f"rate_source_{s}" for s in rp.SOURCES}
    keys |= {f"lb_verdict_rating_{c}" for c in ("beats", "not_significant", "no_decisive")}
    assert not sorted(keys - set(EN)) and not sorted(keys - set(ZH))
    assert {"rating_no_run", "rating_wrong_base", "rating_same_runs", "rating_not_generation",
            "rating_no_prompts", "rating_judge_failed"} <= set(ZH_ERRORS)
