"""Following a run: read only the new events (EventTail with the offset kept in gr.State) and
turn them into curve tables, a progress line and a log tail.

The tail state is a plain dict so it lives in gr.State and round-trips through tests:
  run_id, offset, log_offset   where reading stopped in the event log and the text log
  loss, metric, lr             curve points [{step, value, series}]
  start, last, final           the start event, the latest log event, the final event
  log                          the last LOG_LINES lines of the run's text log
"""
from __future__ import annotations

import pandas as pd

from .common import fmt_metric, fmt_seconds
from .i18n import tr

LOG_LINES = 40
SKIP_METRICS = ("eval_loss", "rows", "steps")


def new_tail(run_id: str = "") -> dict:
    return {"run_id": run_id, "offset": 0, "log_offset": 0, "loss": [], "metric": [], "lr": [],
            "start": None, "last": None, "final": None, "log": [], "messages": []}


def advance(tail: dict, folder) -> tuple[dict, bool]:
    """Read what the run (a `studio.runs.RunFolder`) appended since the last call;
    (new tail, whether anything changed)."""
    reader = folder.tail(tail["offset"])
    events = reader.read()
    lines, log_offset = folder.log_lines(tail["log_offset"])
    if not events and not lines:
        return tail, False
    tail = {**tail, "offset": reader.offset, "log_offset": log_offset,
            "loss": list(tail["loss"]), "metric": list(tail["metric"]), "lr": list(tail["lr"]),
            "messages": list(tail["messages"]), "log": (tail["log"] + lines)[-LOG_LINES:]}
    for e in events:
        apply_event(tail, e)
    return tail, True


def apply_event(tail: dict, e: dict) -> None:
    kind = e.get("type")
    if kind == "start":
        tail["start"] = e
    elif kind == "log":
        tail["last"] = e
        if e.get("loss") is not None:
            tail["loss"].append({"step": e["step"], "value": e["loss"], "series": "train"})
        if e.get("learning_rate") is not None:
            tail["lr"].append({"step": e["step"], "value": e["learning_rate"],
                               "series": "learning rate"})
    elif kind == "eval":
        metrics = e.get("metrics") or {}
        step = e.get("step") or 0
        if metrics.get("eval_loss") is not None and e.get("phase") != "after":
            tail["loss"].append({"step": step, "value": metrics["eval_loss"], "series": "eval"})
        if e.get("phase") != "after":
            for name, value in metrics.items():
                if name not in SKIP_METRICS and isinstance(value, (int, float)):
                    tail["metric"].append({"step": step, "value": value, "series": name})
    elif kind == "message":
        tail["messages"].append(e)
    elif kind in ("done", "failed", "stopped"):
        tail["final"] = e


def frame(points: list[dict]) -> pd.DataFrame:
    if not points:
        return pd.DataFrame({"step": pd.Series(dtype=float), "value": pd.Series(dtype=float),
                             "series": pd.Series(dtype=str)})
    return pd.DataFrame(points)


EXPECTED = {"loss": ("train", "eval"), "lr": ("learning rate",)}


def plot_value(tail: dict, name: str):
    """The curve table for one plot, or gr.skip() when it has no points yet.

    Gradio's LinePlot builds its chart (colour domain included) from the first table it gets
    and then only swaps the data, so a series that shows up later is never drawn and a
    one-point first table breaks the axes. Every expected series is therefore present from the
    first table on, with an empty (NaN) point where it has no data yet.
    """
    import gradio as gr
    points = tail[name]
    if not points:
        return gr.skip()
    present = {p["series"] for p in points}
    pad = [{"step": 0, "value": float("nan"), "series": s}
           for s in EXPECTED.get(name, ()) if s not in present]
    if len(points) + len(pad) < 2:
        pad.append({"step": 0, "value": float("nan"), "series": points[0]["series"]})
    return frame(pad + points)


def progress_html(tail: dict, lang: str, position: int = 0) -> str:
    """Progress bar plus step/total, epoch, samples/s and ETA (or the queue position)."""
    if position > 0:
        return f"<div class='studio-progress'>{tr(lang, 'train_queued', position=position)}</div>"
    start, last, final = tail.get("start"), tail.get("last"), tail.get("final")
    if not start and not final:
        return f"<div class='studio-progress'>{tr(lang, 'train_preparing')}</div>"
    total = (start or {}).get("total_steps") or (last or {}).get("total_steps") or 1
    step = (last or {}).get("step", 0)
    if final and final.get("type") == "done":
        step = total
    share = max(0.0, min(1.0, step / total))
    line = tr(lang, "train_progress", step=step, total=total,
              epoch=f"{(last or {}).get('epoch', 0):.2f}",
              speed=fmt_metric((last or {}).get("samples_per_second")),
              eta=fmt_seconds((last or {}).get("eta") if not final else 0))
    return (f"<div class='studio-progress'><div class='bar'><div class='fill' "
            f"style='width:{share * 100:.1f}%'></div></div><span id='train-progress-text'>"
            f"{line}</span></div>")


def status_text(tail: dict, lang: str) -> str:
    from .common import box
    final = tail.get("final")
    if not final:
        return ""
    kind = final["type"]
    if kind == "done":
        m = final.get("metrics") or {}
        shown = ", ".join(f"{k} {fmt_metric(v)}" for k, v in m.items()
                          if not k.startswith("before_") and k != "steps")
        return box(tr(lang, "train_done", metrics=shown), "ok")
    if kind == "failed":
        return box(failure_text(final, lang))
    return box(tr(lang, "train_stopped"), "warning")


def failure_text(final: dict, lang: str) -> str:
    """A failed event's reason, translated by its code when a template exists."""
    from .strings_zh import ZH_ERRORS
    from .i18n import fill
    if lang != "en" and final.get("code") in ZH_ERRORS:
        text = fill(ZH_ERRORS[final["code"]], final.get("params") or {})
        if text:
            return text
    reason = final.get("reason") or tr(lang, "train_failed_unknown")
    return reason if lang == "en" else tr(lang, "err_engine_fallback", detail=reason)


def log_text(tail: dict) -> str:
    return "\n".join(tail.get("log") or [])
