"""`python -m studio advise RUN [--json]`: each finding's sentence and the override to pass
to `python -m studio train`."""
from __future__ import annotations

import json

from advisor_data import falling, fake_run
from conftest import run_cli
from studio.cli import main
from studio.config import JobConfig
from studio.runs import Registry, RunFolder


def overfit_run(workspace):
    cfg = JobConfig(task="classification")
    cfg.data.train_file = "reviews.csv"
    run = Registry(workspace).new_run(cfg, status="done")
    fake_run(RunFolder(run.run_dir).path, falling(), evals=[0.9, 0.6, 0.5, 0.55], epochs=4)
    return run


def test_advise_prints_the_sentence_and_the_override(workspace):
    run = overfit_run(workspace)
    out = run_cli("advise", run.id, "--workspace", str(workspace))
    assert out.returncode == 0, out.stderr
    assert "Validation loss was lowest at epoch 3" in out.stdout
    assert "train.epochs=3" in out.stdout
    assert f"python -m studio train {RunFolder(run.run_dir).job_file} train.epochs=3" \
        in out.stdout


def test_advise_json(workspace, capsys):
    run = overfit_run(workspace)
    assert main(["advise", run.id[:15], "--json", "--workspace", str(workspace)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["run"] == run.id
    [f] = doc["findings"]
    assert f["code"] == "overfitting" and f["suggestion"] == {"train.epochs": 3}
    assert f["overrides"] == ["train.epochs=3"]


def test_a_healthy_run_and_an_unknown_one(workspace, capsys):
    cfg = JobConfig(task="classification")
    cfg.data.train_file = "reviews.csv"
    run = Registry(workspace).new_run(cfg, status="done")
    fake_run(RunFolder(run.run_dir).path, falling())
    assert main(["advise", run.id, "--workspace", str(workspace)]) == 0
    assert "nothing to report" in capsys.readouterr().out
    assert main(["advise", "nope", "--workspace", str(workspace)]) == 2
    assert "No run 'nope'" in capsys.readouterr().err
