"""Try step, "Rate side by side": two answers to one prompt, unnamed and in a random order; the
user picks A, B, tie or both bad (keys 1-4, n for the next prompt) and the models are named
after the vote.

The engine (studio.ratings) checks the pair, draws the order, makes and caches the answers,
stores the vote and computes the pair's win rate; this panel only shows them. The session
(runs, prompts, order) and the position are kept in the browser (gr.BrowserState), so a
reloaded page resumes where it was and the cached answers come back without regenerating;
every handler re-checks the runs against the request's owner (hosted), so a session edited in
the browser reaches no one else's runs. Wire it into Try with `build(ctx)` inside the step.
"""
from __future__ import annotations

import gradio as gr

from .common import Ctx, box, confined_upload, owner, wire
from .i18n import error_text, t, tr

CHOICES = ("left", "right", "tie", "both_bad")
SOURCES = ("validation", "file", "typed")
# Keys 1-4 press the vote buttons and n the next button, unless the user is typing somewhere.
SHORTCUTS_JS = """() => {
  if (window.__studioRatingKeys) return;
  window.__studioRatingKeys = true;
  const ids = {"1": "rate-left", "2": "rate-right", "3": "rate-tie", "4": "rate-both-bad",
               "n": "rate-next"};
  document.addEventListener("keydown", (e) => {
    const tag = (e.target && e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || e.ctrlKey || e.metaKey || e.altKey) return;
    const el = document.getElementById(ids[e.key]);
    const button = el && (el.tagName === "BUTTON" ? el : el.querySelector("button"));
    if (button && button.offsetParent !== null && !button.disabled) { e.preventDefault();
      button.click(); }
  });
}"""


def pair_choices(registry, owner_value=None, lang: str = "en") -> list[tuple[str, str]]:
    """Finished chat / text-to-text runs, then each of their base models ("base:<model>")."""
    from studio.ratings.session import GENERATION_TASKS
    from studio.ratings.store import BASE_PREFIX
    runs = [r for r in registry.list(200, owner=owner_value)
            if r.task in GENERATION_TASKS and r.status in ("done", "stopped")
            and registry.folder(r).has_model()]
    bases = list(dict.fromkeys(r.model for r in runs))
    return [(f"{r.name or r.id} · {r.model}", r.id) for r in runs] + \
        [(tr(lang, "rate_base_model", model=m), BASE_PREFIX + m) for m in bases]


def name_of(session: dict, ref: str, lang: str) -> str:
    from studio.ratings.store import BASE_PREFIX
    if ref.startswith(BASE_PREFIX):
        return tr(lang, "rate_base_model", model=ref[len(BASE_PREFIX):])
    return (session.get("names") or {}).get(ref, ref)


def start(registry, run_a, run_b, source, typed, file, lang, owner_value=None,
          seed=None) -> dict:
    """A new session; outputs rate_session, rate_index, rate_status (then `show`)."""
    from studio.ratings import new_session
    if not run_a or not run_b:
        return {"rate_status": box(tr(lang, "rate_pick_two"), "warning")}
    try:
        session = new_session(registry, run_a, run_b, owner=owner_value, seed=seed,
                              prompts=str(typed or "").splitlines() if source == "typed"
                              else None, file=file if source == "file" else None)
    except Exception as e:  # noqa: BLE001 - every engine error becomes one sentence
        return {"rate_status": box(error_text(e, lang))}
    return {"rate_session": session.to_dict(), "rate_index": 0, "rate_answers": {},
            "rate_status": box(tr(lang, "rate_started", n=len(session.prompts)), "info")}


def show(registry, models, session: dict, index: int, lang: str, owner_value=None) -> dict:
    """Prompt `index` with both answers, unnamed, in the session's order."""
    from studio.ratings import RatingSession, answers_for
    empty = {"rate_prompt": "", "rate_left": "", "rate_right": "", "rate_reveal": ""}
    if not session:
        return {**empty, "rate_answers": {}}
    s = RatingSession.from_dict(session)
    index = int(index or 0)
    if index >= len(s.prompts):
        return {**empty, "rate_answers": {},
                "rate_status": box(tr(lang, "rate_done", n=len(s.prompts)), "ok")}
    try:
        answers = answers_for(s, index, registry, models, owner_value)
    except Exception as e:  # noqa: BLE001
        return {**empty, "rate_answers": {}, "rate_status": box(error_text(e, lang))}
    left, right = s.order(index)
    return {"rate_prompt": s.prompts[index], "rate_left": shown_answer(answers[left], lang),
            "rate_right": shown_answer(answers[right], lang), "rate_reveal": "",
            "rate_answers": {**answers, "index": index, "voted": False},
            "rate_status": tr(lang, "rate_progress", i=index + 1, n=len(s.prompts))}


def shown_answer(text: str, lang: str) -> str:
    """An empty answer says so (an empty box looked broken); the vote keeps the real one."""
    return text if str(text or "").strip() else tr(lang, "rate_empty_answer")


def source_shown(source: str) -> dict:
    """Only the prompt box the chosen source needs. Outputs rate_typed, rate_file."""
    return {"rate_typed": gr.update(visible=source == "typed"),
            "rate_file": gr.update(visible=source == "file")}


def vote(registry, session: dict, index: int, choice: str, answers: dict, lang: str,
         owner_value=None) -> dict:
    """Store the vote for the shown prompt, name the models, and say how the pair stands."""
    from studio.ratings import Rating, RatingSession, RatingStore, pair_rows
    from studio.ratings.session import resolve_pair
    answers = answers or {}
    index = int(index or 0)
    if not session or answers.get("index") != index or answers.get("voted"):
        return {"rate_reveal": box(tr(lang, "rate_nothing_to_vote"), "info")}
    s = RatingSession.from_dict(session)
    try:
        resolve_pair(registry, s.run_a, s.run_b, owner_value)  # still this owner's runs
        stored = s.vote_of(index, choice)
        store = RatingStore(registry.workspace)
        store.add(Rating(prompt=s.prompts[index], run_a=s.run_a, run_b=s.run_b,
                         answer_a=answers["a"], answer_b=answers["b"], vote=stored,
                         shown_first=s.order(index)[0], owner=owner_value or "",
                         session=s.id))
    except Exception as e:  # noqa: BLE001
        return {"rate_reveal": box(error_text(e, lang))}
    left, right = (s.ref(side) for side in s.order(index))
    reveal = tr(lang, "rate_reveal", left=name_of(session, left, lang),
                right=name_of(session, right, lang), choice=tr(lang, "rate_choice_" + choice))
    rows = pair_rows(store.for_pair(s.run_a, s.run_b, owner_value),
                     {ref: name_of(session, ref, lang) for ref in (s.run_a, s.run_b)})
    standing = verdict_text(rows[0].verdict, lang) if rows else ""
    return {"rate_reveal": box(f"{reveal}\n\n{standing}".strip(), "ok"),
            "rate_answers": {**answers, "voted": True}}


def verdict_text(verdict, lang: str) -> str:
    key = "lb_verdict_" + verdict.code
    from .strings_en import EN
    return tr(lang, key, **verdict.params) if key in EN else verdict.message


def next_prompt(index) -> dict:
    return {"rate_index": int(index or 0) + 1}


def build(ctx: Ctx) -> dict:
    """The panel's widgets and wiring; returns its components by name."""
    with gr.Group(elem_id="rating-panel"):
        with gr.Row():
            run_a = gr.Dropdown(label=t("rate_model_a"), elem_id="rate-run-a")
            run_b = gr.Dropdown(label=t("rate_model_b"), elem_id="rate-run-b")
            refresh = gr.Button(t("rate_refresh"), scale=0, elem_id="rate-refresh")
        source = gr.Radio([(t("rate_source_" + s), s) for s in SOURCES], value="validation",
                          label=t("rate_source"), elem_id="rate-source")
        typed = gr.Textbox(lines=3, label=t("rate_typed"), elem_id="rate-typed",
                           visible=False)
        file = gr.File(label=t("rate_file"), type="filepath", elem_id="rate-file",
                       visible=False)
        begin = gr.Button(t("rate_start"), variant="primary", elem_id="rate-start")
        status = gr.Markdown(elem_id="rate-status")
        prompt = gr.Textbox(label=t("rate_prompt"), interactive=False, elem_id="rate-prompt")
        with gr.Row():
            left = gr.Textbox(label=t("rate_answer_a"), interactive=False, lines=6,
                              elem_id="rate-answer-left")
            right = gr.Textbox(label=t("rate_answer_b"), interactive=False, lines=6,
                               elem_id="rate-answer-right")
        with gr.Row():
            buttons = {c: gr.Button(t("rate_button_" + c), elem_id="rate-" + c.replace(
                "_", "-")) for c in CHOICES}
            nxt = gr.Button(t("rate_next"), elem_id="rate-next")
        reveal = gr.Markdown(elem_id="rate-reveal")
    session = gr.BrowserState({}, storage_key="studio-rating-session")
    index = gr.BrowserState(0, storage_key="studio-rating-index")
    answers = gr.State({})
    shown = {"rate_prompt": prompt, "rate_left": left, "rate_right": right,
             "rate_reveal": reveal, "rate_answers": answers, "rate_status": status}

    def on_refresh(a, b, lang, request: gr.Request):
        choices = pair_choices(ctx.registry, owner(ctx, request), lang)
        values = [v for _, v in choices]
        return {"rate_a": gr.update(choices=choices, value=a if a in values else None),
                "rate_b": gr.update(choices=choices, value=b if b in values else None)}

    def on_start(a, b, src, text, path, lang, request: gr.Request):
        try:
            path = confined_upload(ctx, path, request) if src == "file" else None
        except Exception as e:  # noqa: BLE001 - a forged or missing upload
            return {"rate_status": box(error_text(e, lang))}
        return start(ctx.registry, a, b, src, text, path, lang, owner(ctx, request))

    def on_show(sess, i, lang, request: gr.Request):
        return show(ctx.registry, ctx.cache, sess, i, lang, owner(ctx, request))

    wire(source.change, source_shown, [source], {"rate_typed": typed, "rate_file": file})
    wire(refresh.click, on_refresh, [run_a, run_b, ctx.lang], {"rate_a": run_a,
                                                              "rate_b": run_b})
    started = wire(begin.click, on_start, [run_a, run_b, source, typed, file, ctx.lang],
                   {"rate_session": session, "rate_index": index, "rate_answers": answers,
                    "rate_status": status})
    wire(started.then, on_show, [session, index, ctx.lang], shown)
    for choice, button in buttons.items():
        def on_vote(sess, i, ans, lang, request: gr.Request, choice=choice):
            return vote(ctx.registry, sess, i, choice, ans, lang, owner(ctx, request))
        wire(button.click, on_vote, [session, index, answers, ctx.lang],
             {"rate_reveal": reveal, "rate_answers": answers})
    moved = wire(nxt.click, next_prompt, [index], {"rate_index": index})
    wire(moved.then, on_show, [session, index, ctx.lang], shown)
    root = gr.context.Context.root_block
    if root is not None:  # the shortcuts, the run lists and a reloaded page's prompt
        root.load(None, js=SHORTCUTS_JS)
        wire(root.load, on_refresh, [run_a, run_b, ctx.lang], {"rate_a": run_a,
                                                              "rate_b": run_b})
        wire(root.load, on_show, [session, index, ctx.lang], shown)
    return {"run_a": run_a, "run_b": run_b, "refresh": refresh, "status": status}
