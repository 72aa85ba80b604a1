"""Under the leaderboard: the blind side-by-side ratings (Try's "Rate two models blind"), one
row per rated pair of models with its wins, losses, ties, win rate and 95% interval, the
engine's significance sentence per pair, and the downloads of the votes (preference pairs
JSONL for TRL / LLaMA-Factory, and every vote as CSV).

The engine (studio.ratings.stats.leaderboard_rows, studio.ratings.export) counts, tests and
writes; this module only shows them. Hosted: the request's owner's votes only, like the runs.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr
import pandas as pd

from .common import Ctx, box, owner, wire
from .i18n import error_text, t, tr

COLUMNS = ("pair", "wins", "losses", "ties", "both_bad", "rate", "ci", "ratings")
KEEP_SECONDS = 3600   # staged rating downloads older than this are removed on the next one


def shown_name(name: str, lang: str) -> str:
    """A run's name as stored; an untuned model ("base:<model>") in the page's words."""
    from studio.ratings.store import BASE_PREFIX
    if str(name).startswith(BASE_PREFIX):
        return tr(lang, "rate_base_model", model=str(name)[len(BASE_PREFIX):])
    return str(name)


def table(rows: list[dict], lang: str) -> pd.DataFrame:
    """One row per pair, the side with more wins first; win rate and interval in % of the
    decisive votes (ties and both-bad count in the ratings, not in the rate)."""
    out = []
    for r in rows:
        decisive = r["wins"] + r["losses"]
        out.append([tr(lang, "lb_rt_pair", a=shown_name(r["name_a"], lang),
                       b=shown_name(r["name_b"], lang)),
                    r["wins"], r["losses"], r["ties"], r["both_bad"],
                    round(100 * r["win_rate"], 1) if decisive else None,
                    f"{100 * r['low']:.1f} – {100 * r['high']:.1f}" if decisive else "-",
                    r["ratings"]])
    return pd.DataFrame(out, columns=[tr(lang, "lb_rt_col_" + c) for c in COLUMNS])


def sentences(rows: list[dict], lang: str) -> str:
    """The engine's verdict per pair, in the page's language (leaderboard_view's templates)."""
    from studio.leaderboard.verdict import Verdict

    from .verdicts import verdict_sentence
    parts = []
    for r in rows:
        v = r["verdict"]
        params = {**v["params"]}
        for key in ("winner", "loser"):
            if key in params:
                params[key] = shown_name(params[key], lang)
        text = verdict_sentence(Verdict(v["code"], params, v["message"]), lang)
        parts.append(box(text, "ok" if v["code"] == "rating_beats" else "info"))
    return "\n\n".join(parts)


def show(registry, lang, owner_value=None) -> dict:
    """Outputs rt_table, rt_verdicts, rt_empty."""
    from studio.ratings.stats import leaderboard_rows
    rows = leaderboard_rows(registry, owner_value)
    if not rows:
        return {"rt_table": gr.update(value=None, visible=False), "rt_verdicts": "",
                "rt_empty": box(tr(lang, "lb_rt_none"), "info")}
    return {"rt_table": gr.update(value=table(rows, lang), visible=True),
            "rt_verdicts": sentences(rows, lang), "rt_empty": ""}


def staging_folder() -> Path:
    """A new folder per request under the temp folder gradio serves from (never the
    workspace); earlier ones past KEEP_SECONDS go, so a hosted studio keeps no old votes."""
    from studio.retention import DOWNLOADS
    root = Path(tempfile.gettempdir()) / DOWNLOADS
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob("ratings-*"):
        try:
            if time.time() - old.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix="ratings-", dir=root))


def download(registry, lang, owner_value=None) -> dict:
    """Outputs rt_files (pairs JSONL, votes CSV), rt_message."""
    from studio.ratings import RatingStore
    from studio.ratings.export import write_pairs, write_votes_csv
    try:
        ratings = RatingStore(registry.workspace).list(owner_value)
        if not ratings:
            return {"rt_files": None, "rt_message": box(tr(lang, "lb_rt_none"), "info")}
        folder = staging_folder()
        pairs = write_pairs(ratings, folder / "preference-pairs.jsonl")
        votes = write_votes_csv(ratings, folder / "ratings.csv")
    except Exception as e:  # noqa: BLE001 - one sentence, no path
        return {"rt_files": None, "rt_message": box(error_text(e, lang))}
    return {"rt_files": [pairs.path, votes.path],
            "rt_message": box(tr(lang, "lb_rt_downloaded", pairs=pairs.rows, votes=votes.rows,
                                 left_out=pairs.left_out), "ok")}


def build(ctx: Ctx, reload_btn) -> None:
    """The ratings table and downloads; refreshed with the leaderboard."""
    registry = ctx.registry
    with gr.Column(elem_id="lb-ratings"):
        gr.Markdown(t("lb_rt_title"), elem_id="lb-rt-title")
        empty = gr.Markdown(elem_id="lb-rt-empty")
        rt_table = gr.Dataframe(interactive=False, wrap=True, visible=False,
                                elem_id="lb-rt-table", elem_classes=["studio-table"])
        verdicts = gr.Markdown(elem_id="lb-rt-verdicts")
        with gr.Row():
            get = gr.Button(t("lb_rt_download"), elem_id="lb-rt-download", scale=1)
            files = gr.File(label=t("lb_rt_files"), file_count="multiple", interactive=False,
                            elem_id="lb-rt-files", scale=3)
        message = gr.Markdown(elem_id="lb-rt-message")
    outputs = {"rt_table": rt_table, "rt_verdicts": verdicts, "rt_empty": empty}

    def do_show(lang, request: gr.Request):
        return show(registry, lang, owner(ctx, request))

    def do_download(lang, request: gr.Request):
        return download(registry, lang, owner(ctx, request))

    for trigger in (ctx.tab["runs"].select, reload_btn.click):
        wire(trigger, do_show, [ctx.lang], outputs, show_progress="hidden")
    wire(get.click, do_download, [ctx.lang], {"rt_files": files, "rt_message": message})
