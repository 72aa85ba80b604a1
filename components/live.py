"""Following a run: read only the new events (EventTail with the offset kept in gr.State) and
turn them into curve tables, a progress line and a log tail.

The tail state is a plain dict so it lives in gr.State and round-trips through tests:
  run_id, offset, log_offset   where reading stopped in the event log and the text log
  loss, metric, lr             curve points [{step, value, series}]; series are engine keys
                               (train, eval, lr, accuracy, ...), translated when drawn
  start, first, last, final    the start event, the first and latest log events, the final one
  stage                        what the run is busy with before and after its steps
  log                          the last LOG_LINES lines of the run's text log
"""
from __future__ import annotations

import html

from studio.events import FINAL_TYPES

from . import charts, fmt
from .eval_line import eval_line
from .i18n import code_text, tr

LOG_LINES = 40
# Not drawn on the metric chart: losses have their own chart, perplexity is exp(eval loss)
# on a scale that would flatten every score next to it.
NOT_A_SCORE = ("eval_loss", "train_loss", "perplexity", "rows", "steps")
STAGES = ("tokenizing", "evaluating", "training", "final_eval", "saving")  # engine events


def new_tail(run_id: str = "") -> dict:
    return {"run_id": run_id, "offset": 0, "log_offset": 0, "loss": [], "metric": [], "lr": [],
            "start": None, "first": None, "last": None, "final": None, "stage": None,
            "log": [], "messages": [], "eval_progress": None}


def advance(tail: dict, folder) -> tuple[dict, bool]:
    """Read what the run (a `studio.runs.RunFolder`) appended since the last call;
    (new tail, whether anything changed)."""
    reader = folder.tail(tail["offset"])
    events = reader.read()
    lines, log_offset = folder.log_lines(tail["log_offset"])
    if not events and not lines:
        return tail, False
    tail = {**new_tail(), **tail, "offset": reader.offset, "log_offset": log_offset,
            "loss": list(tail["loss"]), "metric": list(tail["metric"]), "lr": list(tail["lr"]),
            "messages": list(tail["messages"]), "log": (tail["log"] + lines)[-LOG_LINES:]}
    for e in events:
        apply_event(tail, e)
    return tail, True


def add_point(points: list, step, value, series: str) -> None:
    """One curve point; a second value for the same step and series replaces the first (the
    final evaluation lands on the step of the last one during training)."""
    for p in reversed(points[-20:]):
        if p["series"] == series and p["step"] == step:
            p["value"] = value
            return
    points.append({"step": step, "value": value, "series": series})


def apply_event(tail: dict, e: dict) -> None:
    kind = e.get("type")
    if kind == "start":
        tail["start"] = e
    elif kind == "stage":
        tail["stage"] = e.get("stage")
        tail["eval_progress"] = None
    elif kind == "eval_progress":  # rows evaluated so far (studio/eval_progress.py)
        tail["eval_progress"] = e
    elif kind == "log":
        tail["first"] = tail.get("first") or e
        tail["last"] = e
        if e.get("loss") is not None:
            add_point(tail["loss"], e["step"], e["loss"], "train")
        if e.get("learning_rate") is not None:
            add_point(tail["lr"], e["step"], e["learning_rate"], "lr")
    elif kind == "eval":
        tail["eval_progress"] = None  # that evaluation ended
        # before (step 0), during and after training: a one-epoch run still gets a line
        metrics, step = e.get("metrics") or {}, e.get("step") or 0
        if metrics.get("eval_loss") is not None:
            add_point(tail["loss"], step, metrics["eval_loss"], "eval")
        for name, value in metrics.items():
            if name not in NOT_A_SCORE and isinstance(value, (int, float)):
                add_point(tail["metric"], step, value, name)
    elif kind == "message":
        tail["messages"].append(e)
    elif kind in FINAL_TYPES:
        tail["final"] = e
    elif kind == "resume":  # a new attempt: the old end and the old pace no longer hold
        tail.update(final=None, first=None, last=None, stage=None, eval_progress=None)


def plot_value(tail: dict, name: str, lang: str = "en"):
    """The table of one chart (loss, metric or lr), or None (an empty chart) while the run has
    no point for it: a new run never shows the previous run's curves. The loss chart has its
    eval curve from the start when the run has validation rows."""
    expected = ()
    if name == "loss":
        expected = ("train", "eval") if ((tail.get("start") or {}).get("validation_rows") or
                                         any(p["series"] == "eval" for p in tail["loss"])) \
            else ("train",)
    span = (tail.get("start") or {}).get("total_steps")
    return charts.curves(tail[name], lang, expected, span=span)


def eta_seconds(tail: dict) -> float | None:
    """Time left as the run's latest log event says it (studio.pace wrote it, and
    `python -m studio runs` reads the same number); None before it is known or once the run
    has ended."""
    if tail.get("final"):
        return None
    return (tail.get("last") or {}).get("eta")


def progress_html(tail: dict, lang: str, position: int = 0) -> str:
    """Progress bar plus step/total, epoch, samples/s and ETA; before the first step, what the
    run is preparing (loading, tokenizing, evaluating the base model); in line, the position."""
    if position > 0:
        return line_html(tr(lang, "train_queued", position=position))
    start, last, final = tail.get("start"), tail.get("last"), tail.get("final")
    stage = tail.get("stage")
    if not last and not final:
        return line_html(eval_line(tail, lang) or tr(lang, "stage_" + (stage or "starting")))
    total = (start or {}).get("total_steps") or (last or {}).get("total_steps") or 1
    step = (last or {}).get("step", 0)
    if final and final.get("type") == "done":
        step = total
    share = max(0.0, min(1.0, step / total))
    eta = eta_seconds(tail)  # None once ended: "ETA 0 s" stayed on a stopped run
    line = tr(lang, "train_progress_ended" if final else "train_progress", step=step,
              total=total, epoch=fmt.number(round((last or {}).get("epoch", 0), 2), 3),
              speed=fmt.speed((last or {}).get("samples_per_second")),
              eta=fmt.duration(eta, lang) if eta is not None else tr(lang, "eta_estimating"))
    if eval_line(tail, lang):  # the final evaluation, or one during training, counting rows
        line += " · " + eval_line(tail, lang)
    elif not final and stage in ("final_eval", "saving"):
        line += " · " + tr(lang, "stage_" + stage)
    return (f"<div class='studio-progress'><div class='bar'><div class='fill' "
            f"style='width:{share * 100:.1f}%'></div></div><span id='train-progress-text'>"
            f"{html.escape(line)}</span></div>")


def line_html(text: str) -> str:
    return (f"<div class='studio-progress'><span id='train-progress-text'>{html.escape(text)}"
            f"</span></div>")


def status_text(tail: dict, lang: str) -> str:
    from .common import box
    final = tail.get("final")
    if not final:
        return ""
    kind = final["type"]
    if kind == "done":
        return box(tr(lang, "train_done", metrics=fmt.metrics_line(final.get("metrics") or {},
                                                                   lang)), "ok")
    if kind == "failed":
        return box(failure_text(final, lang))
    scores = last_eval(tail)  # a stopped run still evaluated: its last numbers, not "-"
    if scores:
        return box(tr(lang, "train_stopped_scores", step=scores[0],
                      metrics=fmt.metrics_line(scores[1], lang)), "warning")
    return box(tr(lang, "train_stopped"), "warning")


def last_eval(tail: dict):
    """(step, metrics) of the run's latest evaluation from its metric and loss curves, or
    None when it never evaluated (the base model's evaluation at step 0 counts)."""
    points = [p for p in tail.get("metric") or []] + [
        {**p, "series": "eval_loss"} for p in tail.get("loss") or [] if p["series"] == "eval"]
    if not points:
        return None
    step = max(p["step"] for p in points)
    return step, {p["series"]: p["value"] for p in points if p["step"] == step}


def failure_text(final: dict, lang: str, reason: str = "") -> str:
    """A failed event's reason in `lang`: its code's sentence from that language's catalogue,
    else the engine's sentence (`reason`: the registry's, when there is no final event)."""
    text = code_text(lang, final.get("code"), final.get("params") or {})
    reason = final.get("reason") or reason
    return text or (tr(lang, "err_engine_fallback", detail=reason) if reason else
                    tr(lang, "train_failed_unknown"))


def log_text(tail: dict) -> str:
    return "\n".join(tail.get("log") or [])
