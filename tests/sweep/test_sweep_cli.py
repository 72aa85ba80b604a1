"""`python -m studio sweep`: four candidates on the sample sentiment CSV share one split (the
same validation row keys), early stopping stops a run, errors exit 2 with one sentence."""
import json
from pathlib import Path

import pandas as pd
import pytest

from helpers import make_job, train_in_process
from studio.cli import main
from studio.config import JobConfig
from studio.data import load_job_data
from studio.rowkeys import row_keys
from studio.runs import Registry
from studio.sweep import load

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "reviews_sentiment.csv"
FAST = ["train.epochs=1", "train.eval_before=false", "train.threads=1", "train.batch_size=32"]


@pytest.mark.heavy
def test_a_2x2_sweep_runs_four_candidates_on_one_split(tmp_path, capsys):
    ws = str(tmp_path / "ws")
    code = main(["sweep", "--data", str(SAMPLE), *FAST, "--workspace", ws, "--grid",
                 "model.name=tiny-bert,tiny-gpt", "train.learning_rate=5e-5,1e-4"])
    out = capsys.readouterr().out
    assert code == 0, out
    names = ["tiny-bert · lr 5e-5", "tiny-bert · lr 1e-4", "tiny-gpt · lr 5e-5",
             "tiny-gpt · lr 1e-4"]
    for i, name in enumerate(names, 1):  # a start line and a progress line per candidate
        assert f"[{i}/4] {name}: training as run" in out
        assert any(line.startswith(f"[{i}/4] {name}") and " done " in line
                   for line in out.splitlines())
    assert main(["runs", "--json", "--workspace", ws]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert sorted(r["name"] for r in runs) == sorted(names)
    assert {r["status"] for r in runs} == {"done"}

    registry = Registry(ws)
    sweep_ids = {registry.folder(r["id"]).config().sweep for r in runs}
    assert len(sweep_ids) == 1 and sweep_ids != {""}
    assert [e.name for e in load(ws, sweep_ids.pop()).entries] == names
    keys = [[row["key"] for row in registry.folder(r["id"]).outputs("predictions")]
            for r in runs]
    assert keys[0] and all(k == keys[0] for k in keys)  # identical validation rows
    # ... and they are the rows of the split computed here, independently of any model.
    cfg = JobConfig(task="classification")
    cfg.data.train_file = str(SAMPLE)
    held_out = load_job_data(cfg).validation
    assert keys[0] == row_keys(held_out["text"].astype(str))
    assert "score (95% CI)" in out or "candidate" in out  # the leaderboard (or plain table)


@pytest.mark.heavy
def test_a_budget_stops_launching_and_says_so(tmp_path, capsys):
    ws = str(tmp_path / "ws")
    job = JobConfig(task="classification")  # the job-file form this time
    job.data.train_file = str(SAMPLE)
    job.model.name = "tiny-bert"
    job.override(FAST).to_yaml(tmp_path / "job.yaml")
    code = main(["sweep", str(tmp_path / "job.yaml"), "--workspace", ws, "--grid",
                 "train.learning_rate=5e-5,1e-4", "--budget-minutes", "0.01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "The time budget of 0.01 minutes would be exceeded" in out
    assert "so 1 candidate(s) were not started" in out
    runs = {r.name: r for r in Registry(ws).list()}
    assert runs["tiny-bert · lr 5e-5"].status == "done"
    skipped = runs["tiny-bert · lr 1e-4"]
    assert skipped.status == "stopped"
    assert skipped.reason == ("Not started: the sweep's time budget of 0.01 minutes would have "
                              "been exceeded.")


@pytest.mark.parametrize("args, words", [
    (["--grid", "train.seed=1,2"], "cannot vary 'train.seed'"),
    (["--model", "tiny-bert", "--grid", "train.learning_rate=1e-5,2e-5,3e-5",
      "train.epochs=1,2,3", "train.batch_size=8,16"], "The grid gives 18 candidates"),
    (["--grid", "train.epochs=1,2"], "Say which models to try"),
    (["--grid", "model.name=tiny-bert,nope-model"], "nope-model"),
])
def test_errors_exit_2_with_one_sentence_and_no_run(tmp_path, capsys, args, words):
    ws = tmp_path / "ws"
    code = main(["sweep", "--data", str(SAMPLE), "--workspace", str(ws), *args])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and words in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (ws / "runs").exists() or not any((ws / "runs").iterdir())


def test_an_impossible_model_task_pair_refuses_the_sweep(tmp_path, capsys, data_dir):
    ws = tmp_path / "ws"
    code = main(["sweep", "--data", str(data_dir / "chat.json"), "--workspace", str(ws),
                 "--grid", "model.name=tiny-gpt,tiny-bert"])
    err = capsys.readouterr().err
    assert code == 2 and "BERT-family models cannot generate text" in err
    assert Registry(ws).list() == []


@pytest.mark.heavy
def test_early_stopping_stops_a_run_and_keeps_the_best_epoch(tmp_path):
    # A learning rate far too high for this model: the validation loss stops improving after
    # the first epoch, so patience 1 ends a 10-epoch run at epoch 2.
    cfg = make_job(SAMPLE, "tiny-bert", train__epochs=10, train__learning_rate=0.05,
                   train__early_stopping_patience=1, train__eval_before="false")
    code, run_dir, _ = train_in_process(cfg, tmp_path / "ws")
    assert code == 0
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    total = next(e for e in events if e["type"] == "start")["total_steps"]
    during = [e for e in events if e["type"] == "eval" and e["phase"] == "during"]
    after = next(e for e in events if e["type"] == "eval" and e["phase"] == "after")
    done = next(e for e in events if e["type"] == "done")
    assert done["metrics"]["steps"] < total and len(during) < 10
    best = min(e["metrics"]["eval_loss"] for e in during)
    assert after["metrics"]["eval_loss"] == pytest.approx(best, abs=1e-6)
    assert pd.notna(best)
