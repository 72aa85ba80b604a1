"""studio.runs: the Registry of runs, reconciled with run folders and processes."""
import json
import re
import subprocess
import sys

import pytest

from studio.config import JobConfig
from studio.errors import RunError
from studio.events import EventWriter
from studio.runfolder import RunFolder
from studio.runs import Registry, new_run_id


def job(name="", train_file="/data/reviews.csv") -> JobConfig:
    cfg = JobConfig(task="classification", name=name)
    cfg.data.train_file = train_file
    return cfg


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_run_ids_are_sortable_named_and_unique():
    a, b = new_run_id("My data.csv"), new_run_id("My data.csv")
    assert a != b and re.fullmatch(r"\d{8}-\d{6}-my-data-csv-[0-9a-f]+", a), a
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]+", new_run_id(""))  # stamp and random part


def test_runs_reexports_the_folder_owner():
    from studio import runs
    assert runs.RunFolder is RunFolder


def test_new_run_writes_the_job_and_an_entry(tmp_path):
    reg = Registry(tmp_path)
    run = reg.new_run(job("demo"))
    folder = reg.folder(run)
    assert folder.path == reg.run_dir(run.id) and folder.job_file.exists()
    assert folder.config() == job("demo")
    got = reg.get(run.id)
    # the job as asked: 'auto' is decided (and the entry updated) when the run starts
    assert (got.status, got.name, got.task, got.model, got.method) == \
        ("queued", "demo", "classification", "tiny-bert", "auto")
    assert reg.get("no-such-run") is None


def test_find_by_id_prefix_or_name_newest_first(tmp_path):
    reg = Registry(tmp_path)
    old = reg.new_run(job("same"), run_id="20240101-000000-a")
    new = reg.new_run(job("same"), run_id="20240101-000001-b")
    reg.update(old.id, created=1.0)
    reg.update(new.id, created=2.0)
    assert [r.id for r in reg.list()] == [new.id, old.id]
    assert reg.find(old.id).id == old.id
    assert reg.find("20240101-000000").id == old.id
    assert reg.find("same").id == new.id
    assert reg.find("nothing") is None


def test_update_stores_metrics_as_json(tmp_path):
    reg = Registry(tmp_path)
    run = reg.new_run(job())
    reg.update(run.id, status="done", metrics={"accuracy": 0.9, "steps": 3})
    assert reg.get(run.id).metrics == {"accuracy": 0.9, "steps": 3}
    assert reg.get(run.id).to_dict()["metrics"] == {"accuracy": 0.9, "steps": 3}
    assert "config" not in reg.get(run.id).to_dict()


def test_reconcile_marks_a_dead_running_run_failed(tmp_path):
    reg = Registry(tmp_path)
    run = reg.new_run(job())
    reg.update(run.id, status="running", pid=dead_pid())
    got = reg.get(run.id)
    assert got.status == "failed" and "ended without finishing" in got.reason
    assert got.finished is not None
    # the registry itself was updated, not only the returned object
    assert Registry(tmp_path).get(run.id).status == "failed"


def test_reconcile_takes_the_final_event_of_the_log(tmp_path):
    reg = Registry(tmp_path)
    run = reg.new_run(job())
    reg.update(run.id, status="running", pid=dead_pid())
    event = EventWriter(reg.folder(run).events_file).emit("done", metrics={"accuracy": 1.0})
    got = reg.get(run.id)
    assert got.status == "done" and got.metrics == {"accuracy": 1.0}
    assert got.finished == event["time"] and got.reason == ""


def test_a_live_or_queued_run_is_left_alone(tmp_path):
    import os
    reg = Registry(tmp_path)
    queued = reg.new_run(job())
    running = reg.new_run(job())
    reg.update(running.id, status="running", pid=os.getpid())
    assert reg.get(queued.id).status == "queued"
    assert reg.get(running.id).status == "running"


def test_delete_removes_entry_and_folder_but_never_a_live_run(tmp_path):
    import os
    reg = Registry(tmp_path)
    run = reg.new_run(job())
    reg.update(run.id, status="running", pid=os.getpid())
    with pytest.raises(RunError) as err:
        reg.delete(run.id)
    assert err.value.code == "still_running" and "stop it before deleting" in str(err.value)
    reg.update(run.id, status="stopped")
    reg.delete(run.id)
    assert reg.get(run.id) is None and not reg.run_dir(run.id).exists()
    with pytest.raises(RunError) as err:
        reg.delete(run.id)
    assert err.value.code == "no_run"


def test_workspace_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.delenv("STUDIO_REGISTRY", raising=False)
    reg = Registry()
    assert reg.workspace == (tmp_path / "ws").resolve()
    assert reg.db_path == reg.workspace / "studio.sqlite" and reg.runs_dir.is_dir()
    assert json.loads(json.dumps([r.to_dict() for r in reg.list()])) == []


def test_a_read_only_workspace_is_listed_from_a_memory_copy_and_refuses_writes(
        tmp_path, monkeypatch):
    from studio import runs as runs_module
    reg = Registry(tmp_path)
    done = reg.new_run(job("done"))
    reg.update(done.id, status="done")
    gone = reg.new_run(job("gone"))
    reg.update(gone.id, status="running", pid=dead_pid())
    db_bytes = reg.db_path.read_bytes()
    monkeypatch.setattr(runs_module, "writable", lambda path: False)
    ro = Registry(tmp_path)
    assert ro.read_only
    assert {r.id: r.status for r in ro.list()} == {done.id: "done", gone.id: "failed"}
    for write in (lambda: ro.new_run(job("new")), lambda: ro.delete(done.id)):
        with pytest.raises(RunError) as err:
            write()
        assert err.value.code == "workspace_read_only"
        assert str(err.value).startswith(f"The workspace {ro.workspace} is read-only;")
    assert reg.db_path.read_bytes() == db_bytes  # nothing written back, not even reconciling
    assert len(list(reg.runs_dir.iterdir())) == 2


def test_a_read_only_workspace_without_a_registry_lists_its_folders(tmp_path, monkeypatch):
    from studio import runs as runs_module
    reg = Registry(tmp_path)
    run = reg.new_run(job("x"))
    for path in tmp_path.glob("studio.sqlite*"):
        path.unlink()
    monkeypatch.setattr(runs_module, "writable", lambda path: False)
    assert [r.id for r in Registry(tmp_path).list()] == [run.id]
    assert not (tmp_path / "studio.sqlite").exists()


def test_an_emptied_registry_is_refilled_with_one_line(tmp_path, caplog):
    reg = Registry(tmp_path)
    run = reg.new_run(job("x"))
    for path in tmp_path.glob("studio.sqlite*"):
        path.unlink()
    (tmp_path / "studio.sqlite").write_bytes(b"")
    with caplog.at_level("WARNING", logger="studio.runs"):
        again = Registry(tmp_path)
    assert [r.id for r in again.list()] == [run.id]
    assert len(caplog.records) == 1 and "did not list 1 run folder" in caplog.messages[0]


def _open_registry(path: str, start) -> None:
    from studio.runs import Registry
    start.wait()  # all at the same moment, as torchrun's ranks do
    Registry(path).list()


@pytest.mark.heavy
def test_processes_opening_a_new_registry_together_all_succeed(tmp_path):
    """The ranks of a torchrun job open the same brand-new registry at once; SQLite answers
    all but one switch to WAL with 'database is locked' at once (no waiting), which made a
    rank exit 2."""
    import multiprocessing as mp
    ctx = mp.get_context("spawn")  # forking pytest's threads could deadlock a child
    for round_ in range(8):
        start = ctx.Barrier(6)
        procs = [ctx.Process(target=_open_registry, args=(str(tmp_path / f"ws{round_}"), start))
                 for _ in range(6)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0] * 6
