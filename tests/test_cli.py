"""The CLI as a user types it: train (quick form and job file), runs, predict, eval, models,
inspect, stop and resume - each a real `python -m studio` process."""
import json
import time

import pytest

from conftest import run_cli
from helpers import events_of, wait_for


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data_dir):
    """One classification run shared by the read-only CLI tests below."""
    ws = tmp_path_factory.mktemp("cli_ws")
    r = run_cli("train", "--data", str(data_dir / "sentiment.csv"), "--model", "tiny-bert",
                "--workspace", str(ws), "train.epochs=12", "train.eval_strategy=no",
                "train.threads=1", "--name", "keywords")
    assert r.returncode == 0, r.stderr
    assert "loss" in r.stdout and "done in" in r.stdout  # step, loss, speed on the console
    return ws


@pytest.mark.heavy
def test_quick_form_writes_resolved_job_yaml(trained):
    from studio.config import JobConfig
    run_dir = next((trained / "runs").iterdir())
    job = JobConfig.from_yaml(run_dir / "job.yaml")
    assert job.task == "classification"  # inferred and recorded
    assert job.train.learning_rate is not None and job.train.max_length is not None
    assert job.data.text_column in ("", "text") and job.model.family == "bert"


@pytest.mark.heavy
def test_runs_json_lists_the_run(trained):
    r = run_cli("runs", "--json", "--workspace", str(trained))
    runs = json.loads(r.stdout)
    assert r.returncode == 0 and len(runs) == 1
    assert {"id", "status", "task", "model", "metrics"} <= set(runs[0])
    assert runs[0]["status"] == "done" and runs[0]["metrics"]["accuracy"] >= 0.8


@pytest.mark.heavy
def test_predict_text_and_file(trained, data_dir, tmp_path):
    r = run_cli("predict", "keywords", "--text", "review 482913: the plot was wonderful",
                "--text", "review 703518: the ending was dreadful", "--json",
                "--workspace", str(trained))
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [x["prediction"] for x in rows] == ["positive", "negative"]
    assert abs(sum(rows[0]["probabilities"].values()) - 1) < 1e-4
    out = tmp_path / "pred.csv"
    r = run_cli("predict", "keywords", "--file", str(data_dir / "sentiment_test.csv"),
                "--out", str(out), "--workspace", str(trained))
    assert r.returncode == 0, r.stderr
    import pandas as pd
    pred = pd.read_csv(out)
    assert len(pred) == 40 and {"prediction", "p_positive", "p_negative"} <= set(pred.columns)


@pytest.mark.heavy
def test_eval_on_held_out_file(trained, data_dir):
    r = run_cli("eval", "keywords", "--file", str(data_dir / "sentiment_test.csv"), "--json",
                "--workspace", str(trained))
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    assert m["rows"] == 40 and m["accuracy"] >= 0.8 and len(m["confusion_matrix"]) == 2


@pytest.mark.heavy
def test_models_lists_offline_presets():
    r = run_cli("models", "--json")
    names = {p["name"]: p for p in json.loads(r.stdout)}
    for n in ("tiny-bert", "tiny-gpt", "tiny-t5", "minilm-l6", "smollm2-135m"):
        assert n in names
    assert names["tiny-bert"]["offline"] and names["tiny-bert"]["untrained"]
    assert names["bert-base-chinese"]["family"] == "bert"


@pytest.fixture
def cli(capsys, monkeypatch):
    """`python -m studio ARGS` in this process: (exit code, stdout, stderr)."""
    import logging
    from studio import cli as cli_module

    def run(*args):
        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            code = cli_module.main(list(args))
        finally:  # main adds a console handler; tests must not pile them up
            for h in root.handlers[:]:
                if h not in handlers:
                    root.removeHandler(h)
            root.setLevel(level)
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


@pytest.mark.parametrize("args, words, want", [
    (["predict", "nope", "--text", "x"], ["No run 'nope'"], 2),
    (["train", "--data", "missing.csv", "--model", "tiny-bert"], ["missing.csv"], 2),
    (["train", "--data", "{data}", "--model", "someone/not-cached"], ["offline", "tiny-bert"], 2),
    (["train", "--data", "{data}", "--model", "tiny-bert", "train.max_length=4096"],
     ["train.max_length", "512"], 2),
    (["train", "--data", "{data}", "--model", "tiny-bert", "train.epochs=zero"],
     ["train.epochs"], 2),
    (["train"], ["--data"], 2),
    (["stop", "nope"], ["No run 'nope'"], 2),
    (["train", "--resume", "nope"], ["No run 'nope'"], 2),
])
def test_errors_are_one_line_on_stderr(cli, args, words, want, data_dir, tmp_path):
    args = [a.replace("{data}", str(data_dir / "sentiment.csv")) for a in args]
    start = time.time()
    code, _, err = cli(*args, "--workspace", str(tmp_path))
    assert code == want
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: ") and "Traceback" not in err
    for w in words:
        assert w in last
    assert time.time() - start < 60  # an offline Hub id fails fast, no retry loop
    runs = tmp_path / "runs"
    assert not runs.exists() or not list(runs.iterdir())  # no failed run left behind


@pytest.mark.heavy
def test_an_error_in_a_real_process_is_one_line_without_a_traceback(tmp_path):
    r = run_cli("train", "--data", "missing.csv", "--model", "tiny-bert", "--workspace",
                str(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "missing.csv" in r.stderr.strip().splitlines()[-1]


def test_stop_command_says_what_it_did(cli, tmp_path):
    from studio.config import JobConfig
    from studio.runs import Registry
    cfg = JobConfig(task="classification", name="waiting")
    cfg.data.train_file = "/data/x.csv"
    run = Registry(tmp_path).new_run(cfg)
    code, out, _ = cli("stop", "waiting", "--workspace", str(tmp_path))
    assert code == 0 and out.strip() == f"Run {run.id} was cancelled before it started."
    code, out, _ = cli("stop", run.id, "--workspace", str(tmp_path))
    assert out.strip() == f"Run {run.id} is already stopped."


def test_inspect_json_describes_the_file(cli, data_dir):
    code, out, _ = cli("inspect", str(data_dir / "sentiment.csv"), "--json")
    info = json.loads(out)
    assert code == 0 and info["task"] == "classification" and info["rows"] == 240
    assert info["roles"]["text"] == "text" and info["roles"]["label"] == "label"


def test_runs_on_an_empty_workspace_says_how_to_start(cli, tmp_path):
    code, out, _ = cli("runs", "--workspace", str(tmp_path))
    assert code == 0 and "No runs yet" in out and "python -m studio train" in out


@pytest.mark.heavy
def test_stop_saves_model_and_resume_finishes(data_dir, tmp_path):
    """Stop at a step boundary (STOP file), then resume from the last checkpoint."""
    import subprocess
    import sys
    from conftest import ROOT
    ws = tmp_path / "ws"
    cmd = [sys.executable, "-m", "studio", "train", "--data", str(data_dir / "sentiment.csv"),
           "--model", "tiny-bert", "--workspace", str(ws), "train.max_steps=80", "train.threads=1",
           "train.batch_size=4", "train.eval_strategy=steps", "train.eval_steps=10",
           "train.eval_before=false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def with_checkpoint():
        runs = list((ws / "runs").glob("*")) if (ws / "runs").exists() else []
        return runs[0] if runs and list((runs[0] / "checkpoints").glob("checkpoint-*")) else None
    run_dir = wait_for(with_checkpoint, 120, what="a checkpoint to be written")
    (run_dir / "STOP").write_text("stop")
    assert proc.wait(timeout=120) == 0
    events = events_of(run_dir)
    assert events[-1]["type"] == "stopped" and events[-1]["step"] < 80
    assert (run_dir / "model" / "studio.json").exists()
    stopped_at = events[-1]["step"]

    (run_dir / "STOP").unlink()
    r = run_cli("train", "--resume", run_dir.name, "--workspace", str(ws),
                timeout=900)
    assert r.returncode == 0, r.stderr
    events = events_of(run_dir)
    assert events[-1]["type"] == "done"
    resumed_logs = [e for e in events[events.index(next(e for e in events
                                                          if e["type"] == "stopped")):]
                    if e["type"] == "log"]
    assert resumed_logs[0]["step"] > 1  # continued from a checkpoint, not from step 1
    assert resumed_logs[0]["step"] <= stopped_at + 10
    assert resumed_logs[-1]["step"] == 80


@pytest.mark.heavy
def test_two_process_run_finishes(data_dir, tmp_path):
    import os
    import subprocess
    from conftest import ROOT
    ws = tmp_path / "ws"
    import sys
    # The interpreter running the tests (a bare `torchrun` may belong to another Python).
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                        "--master_port", "29531", "-m",
                        "studio", "train", "--data", str(data_dir / "sentiment.csv"),
                        "--model", "tiny-bert", "--workspace", str(ws), "train.max_steps=4",
                        "train.batch_size=8"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    said = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert r.returncode == 0, (said, r.stderr[-2000:])  # a rank's own sentence, then the tail
    runs = list((ws / "runs").iterdir())
    assert len(runs) == 1  # both ranks agreed on one run
    events = events_of(runs[0])
    assert [e["type"] for e in events].count("start") == 1  # only rank 0 writes
    start = next(e for e in events if e["type"] == "start")
    assert start["world_size"] == 2 and events[-1]["type"] == "done"
    assert (runs[0] / "model" / "studio.json").exists()
