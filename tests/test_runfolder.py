"""studio.runfolder.RunFolder: the run folder's file names, readers and writers."""
import pytest

from studio.config import JobConfig
from studio.events import EventWriter
from studio.runfolder import RunFolder


def job(name="") -> JobConfig:
    cfg = JobConfig(task="classification", name=name)
    cfg.data.train_file = "/data/reviews.csv"
    return cfg


def test_file_names(tmp_path):
    f = RunFolder(tmp_path / "run-1")
    assert f.id == "run-1"
    assert (f.job_file.name, f.events_file.name, f.log_file.name, f.stdout_file.name) == \
        ("job.yaml", "events.jsonl", "train.log", "stdout.log")
    assert (f.model_dir.name, f.checkpoints_dir.name, f.stop_file.name) == \
        ("model", "checkpoints", "STOP")
    assert f.outputs_file("predictions", "before").name == "predictions_before.jsonl"
    assert f.outputs_file("samples", "after").name == "samples_after.jsonl"


def test_metrics_round_trip_and_missing_or_odd_files_read_as_empty(tmp_path):
    f = RunFolder(tmp_path)
    assert f.metrics() == {}
    f.write_metrics({"before": {"accuracy": 0.5}, "after": {"accuracy": 0.9}, "steps": 7})
    assert f.metrics() == {"before": {"accuracy": 0.5}, "after": {"accuracy": 0.9}, "steps": 7}
    (tmp_path / "metrics.json").write_text("[1, 2]")
    assert f.metrics() == {}
    (tmp_path / "metrics.json").write_text("{half")
    assert f.metrics() == {}


def test_outputs_round_trip_with_a_limit(tmp_path):
    f = RunFolder(tmp_path)
    rows = [{"row": i, "text": f"texte {i} é", "label": "a"} for i in range(5)]
    f.write_outputs("predictions", "after", rows)
    assert f.outputs("predictions") == rows
    assert f.outputs("predictions", "after", limit=2) == rows[:2]
    assert f.outputs("predictions", "before") == []
    assert "é" in f.outputs_file("predictions", "after").read_text(encoding="utf-8")


def test_events_skip_lines_that_are_not_objects(tmp_path):
    f = RunFolder(tmp_path)
    w = EventWriter(f.events_file)
    w.emit("start", total_steps=2)
    with open(f.events_file, "a") as fh:
        fh.write("null\n")  # valid JSON, not an event
    w.emit("done", metrics={})
    assert [e["type"] for e in f.events()] == ["start", "done"]
    assert f.final_event()["type"] == "done"
    tail = f.tail()
    assert len(tail.read()) == 2 and f.tail(tail.offset).read() == []


def test_log_lines_from_an_offset(tmp_path):
    f = RunFolder(tmp_path)
    assert f.log_lines() == ([], 0)
    f.log_file.write_text("one\ntwo\n")
    lines, offset = f.log_lines()
    assert lines == ["one", "two"] and offset == 8
    with open(f.log_file, "a") as fh:
        fh.write("three\nfou")
    assert f.log_lines(offset) == (["three"], 14)


def test_stop_marker_first_and_second_request(tmp_path):
    f = RunFolder(tmp_path)
    assert not f.stop_requested()
    assert f.request_stop() is True      # first request: asks
    assert f.stop_requested() and f.stop_file.exists()
    assert f.request_stop() is False     # second request: asked before
    f.clear_stop()
    assert not f.stop_requested()
    f.clear_stop()  # clearing twice is fine


def test_model_and_command(tmp_path):
    f = RunFolder(tmp_path / "r")
    assert not f.has_model()
    f.model_dir.mkdir(parents=True)
    (f.model_dir / RunFolder.MODEL_INFO).write_text("{}")
    assert f.has_model()
    assert f.train_command("/ws", "py") == ["py", "-m", "studio", "train", str(f.job_file),
                                            "--workspace", "/ws"]


def test_config_reads_job_yaml(tmp_path):
    f = RunFolder(tmp_path)
    job("demo").to_yaml(f.job_file)
    assert f.config() == job("demo")


def test_one_writer_per_folder_and_a_stale_lock_is_taken_over(tmp_path):
    import subprocess
    import sys

    from studio.errors import RunError
    from studio.runfolder import RunFolder
    folder = RunFolder(tmp_path / "r1")
    folder.path.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        from studio.runfolder import process_start
        (folder.path / RunFolder.LOCK).write_text(f"{sleeper.pid} {process_start(sleeper.pid)}")
        with pytest.raises(RunError) as e:
            folder.acquire()
        assert e.value.code == "run_locked" and str(sleeper.pid) in str(e.value)
    finally:
        sleeper.kill()
        sleeper.wait()
    folder.acquire()          # its writer is gone: the stale lock is taken over
    folder.acquire()          # the same process may ask again
    folder.release()
    assert not (folder.path / RunFolder.LOCK).exists()


def test_partial_checkpoints_are_dropped_and_complete_ones_kept(tmp_path):
    f = RunFolder(tmp_path)
    for step, complete in ((5, True), (10, False)):
        ckpt = f.checkpoints_dir / f"checkpoint-{step}"
        ckpt.mkdir(parents=True)
        (ckpt / "model.safetensors").write_bytes(b"x" * 10)
        if complete:
            (ckpt / "trainer_state.json").write_text("{}")
    assert f.drop_partial_checkpoints() == ["checkpoint-10"]
    assert [p.name for p in f.checkpoints_dir.iterdir()] == ["checkpoint-5"]
    assert f.drop_partial_checkpoints() == []
