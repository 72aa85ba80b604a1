"""Step 5's side-by-side view: two runs, the settings that differ, their metrics, both loss
curves in one chart, and the validation rows where they disagree (filterable by label).

studio.leaderboard.compare finds the differences; this module lays them out in the page's
language. Hosted, a run of someone else is answered like a missing one (the engine checks).
"""
from __future__ import annotations

import gradio as gr
import pandas as pd

from . import charts, fmt
from .common import Ctx, box, owner, wire
from .i18n import error_text, field_label, t, tr
from .run_picker import finished

ALL = "__all__"
ROWS_SHOWN = 300


def choices(registry, a, b, owner=None, group_key=None) -> dict:
    """Outputs a, b: the finished runs. Choices still there are kept; else (or when a
    leaderboard group was just picked: `group_key`) the best two runs of that group, or of the
    newest group, are chosen."""
    from studio.leaderboard import board, find_group
    runs = finished(registry, owner)
    ids = [v for _, v in runs]
    if group_key or a not in ids or b not in ids:
        group = find_group(board(registry, owner=owner), group_key)
        top = [e.run_id for e in group.entries[:2]] if group else []
        a, b = top if len(top) == 2 else (ids + [None, None])[:2]
    return {"a": gr.update(choices=runs, value=a), "b": gr.update(choices=runs, value=b)}


def config_table(cmp, lang: str) -> pd.DataFrame:
    rows = [[field_label(path, lang), _value(x, lang), _value(y, lang)]
            for path, x, y in cmp.config_diff]
    return pd.DataFrame(rows, columns=[tr(lang, "cmp_col_setting"), cmp.a.label, cmp.b.label])


def _value(value, lang: str) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return tr(lang, f"choice_{str(value).lower()}")
    return fmt.number(value) if isinstance(value, (int, float)) else str(value)


def metrics_table(cmp, lang: str) -> pd.DataFrame:
    """Final metrics of both runs (the page's order), then train time, speed and latency."""
    after = [s.metrics.get("after") or {} for s in (cmp.a, cmp.b)]
    names = [k for k in fmt.SCORES if any(isinstance(m.get(k), (int, float)) for m in after)]
    rows = [[fmt.metric_name(k, lang), *(fmt.metric(m.get(k)) for m in after)] for k in names]
    sides = (cmp.a, cmp.b)
    rows.append([tr(lang, "lb_col_train"),
                 *(fmt.duration(s.metrics.get("train_seconds"), lang) for s in sides)])
    rows.append([tr(lang, "lb_col_speed"),
                 *(fmt.speed(s.metrics.get("train_samples_per_second")) for s in sides)])
    rows.append([tr(lang, "lb_col_latency"), *(fmt.number(_latency(s), 3) for s in sides)])
    return pd.DataFrame(rows, columns=[tr(lang, "col_metric"), cmp.a.label, cmp.b.label])


def _latency(side):
    return ((side.metrics.get("after") or {}).get("timing") or {}).get("latency_ms")


def curves_frame(cmp, lang: str):
    """Both runs' train and eval loss in one chart: series '<run> · train|eval'."""
    points = [{"step": p["step"], "value": p["value"],
               "series": f"{side.label} · {charts.series_name(p['series'], lang)}"}
              for side in (cmp.a, cmp.b) for key in ("train", "eval")
              for p in side.curves if p["series"] == key]
    return pd.DataFrame(points, columns=list(charts.COLUMNS)) if points else None


def rows_table(cmp, label, lang: str) -> pd.DataFrame:
    """The disagreeing rows (of gold label `label` unless ALL), short columns first."""
    rows = cmp.rows(None if label in (None, "", ALL) else label)[:ROWS_SHOWN]
    a, b = cmp.a.label, cmp.b.label
    if cmp.a.task == "classification":
        columns = [tr(lang, "col_label"), tr(lang, "cmp_col_predicted", run=a),
                   tr(lang, "cmp_col_predicted", run=b), tr(lang, "cmp_col_right"),
                   tr(lang, "col_text")]
        body = [[r["label"], r["a_predicted"], r["b_predicted"],
                 a if r["right"] == "a" else b, r["text"]] for r in rows]
    else:
        columns = [tr(lang, "col_prompt"), tr(lang, "col_reference"),
                   tr(lang, "cmp_col_generated", run=a), tr(lang, "cmp_col_generated", run=b),
                   tr(lang, "cmp_col_chrf", run=a), tr(lang, "cmp_col_chrf", run=b)]
        body = [[r["prompt"], r["reference"], r["a_generated"], r["b_generated"],
                 r["a_chrf"], r["b_chrf"]] for r in rows]
    return pd.DataFrame(body, columns=columns)


def run_compare(registry, a, b, label, lang, owner=None) -> dict:
    """Outputs summary, diff, metrics, curves, label, rows_note, rows."""
    from studio.leaderboard import compare
    # Tables without data stay hidden (an empty gr.Dataframe shows placeholder headers 1 2 3).
    cleared = {"diff": hidden(), "metrics": hidden(), "curves": None, "rows": hidden(),
               "rows_note": "", "label": gr.update(choices=[], value=None, visible=False)}
    if not a or not b:
        return {**cleared, "summary": box(tr(lang, "cmp_pick_two"), "info")}
    try:
        cmp = compare(registry, a, b, owner=owner)
    except Exception as e:  # noqa: BLE001 - one sentence (a missing or foreign run)
        return {**cleared, "summary": box(error_text(e, lang))}
    labels = cmp.labels
    label = label if label in labels else ALL
    key = "cmp_rows_classification" if cmp.a.task == "classification" else "cmp_rows_generation"
    return {"summary": "" if cmp.config_diff else box(tr(lang, "cmp_same_settings"), "info"),
            "diff": shown(config_table(cmp, lang)), "metrics": shown(metrics_table(cmp, lang)),
            "curves": curves_frame(cmp, lang),
            "label": gr.update(choices=[(tr(lang, "cmp_all_labels"), ALL)] +
                               [(x, x) for x in labels], value=label, visible=bool(labels)),
            "rows_note": box(tr(lang, key, count=len(cmp.rows(None)), shared=cmp.shared_rows,
                                shown=len(cmp.rows(None if label == ALL else label))), "info"),
            "rows": shown(rows_table(cmp, label, lang))}


def hidden():
    return gr.update(value=None, visible=False)


def shown(frame: pd.DataFrame):
    """A table with rows; one without (no setting differs, no row disagrees) stays hidden."""
    return gr.update(value=frame, visible=not frame.empty)


def build(ctx: Ctx, group, reload_btn) -> None:
    registry = ctx.registry
    with gr.Accordion(t("cmp_title"), open=True, elem_id="compare"):
        with gr.Row():
            a = gr.Dropdown([], value=None, label=t("cmp_a"), elem_id="cmp-a", scale=3)
            b = gr.Dropdown([], value=None, label=t("cmp_b"), elem_id="cmp-b", scale=3)
            go = gr.Button(t("cmp_go"), variant="primary", elem_id="cmp-go", scale=1)
        summary = gr.Markdown(elem_id="cmp-summary")
        with gr.Row():
            diff = gr.Dataframe(label=t("cmp_diff"), interactive=False, wrap=True,
                                visible=False, elem_id="cmp-diff", elem_classes=["studio-table"])
            metrics = gr.Dataframe(label=t("cmp_metrics"), interactive=False, visible=False,
                                   elem_id="cmp-metrics", elem_classes=["studio-table"])
        curves = gr.State(None)

        @gr.render(inputs=[curves, ctx.lang])
        def draw(frame, lang):
            # A new chart per comparison: a LinePlot keeps the series of its first table.
            if frame is None:  # nothing compared yet: no empty chart
                return
            charts.line_plot(t("cmp_curves"), "cmp-plot", value=frame,
                             **charts.titles(lang or "en", "axis_loss"))
        label = gr.Dropdown([], value=None, label=t("cmp_filter"), visible=False,
                            elem_id="cmp-label")
        rows_note = gr.Markdown(elem_id="cmp-rows-note")
        rows = gr.Dataframe(label=t("cmp_rows"), interactive=False, wrap=True, visible=False,
                            max_height=480, elem_id="cmp-rows", elem_classes=["studio-table"])
    outputs = {"summary": summary, "diff": diff, "metrics": metrics, "curves": curves,
               "label": label, "rows_note": rows_note, "rows": rows}

    def do_choices(x, y, request: gr.Request):
        return choices(registry, x, y, owner(ctx, request))

    def do_group(key, x, y, request: gr.Request):
        return choices(registry, x, y, owner(ctx, request), group_key=key)

    def do_compare(x, y, lab, lang, request: gr.Request):
        return run_compare(registry, x, y, lab, lang, owner(ctx, request))

    for trigger in (ctx.tab["runs"].select, reload_btn.click):
        wire(trigger, do_choices, [a, b], {"a": a, "b": b}, show_progress="hidden")
    wire(group.input, do_group, [group, a, b], {"a": a, "b": b}, show_progress="hidden")
    wire(go.click, do_compare, [a, b, label, ctx.lang], outputs, api_name="compare_runs")
    wire(label.input, do_compare, [a, b, label, ctx.lang], outputs, show_progress="hidden")
