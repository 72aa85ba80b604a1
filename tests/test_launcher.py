"""studio.launcher.JobQueue: one training child at a time, in order; waiting runs cancel."""
import subprocess

import pytest

from helpers import make_job, wait_for
from studio.backends import Backend
from studio.config import JobConfig
from studio.errors import ConfigError
from studio.launcher import JobQueue
from studio.runs import Registry


def queued_job(name: str) -> JobConfig:
    cfg = JobConfig(task="classification", name=name)
    cfg.data.train_file = "/data/reviews.csv"
    return cfg


def test_runs_left_queued_keep_their_place_behind_a_live_run(tmp_path):
    registry = Registry(tmp_path)
    busy = subprocess.Popen(["sleep", "60"])
    try:
        live = registry.new_run(queued_job("live"))
        registry.update(live.id, status="running", pid=busy.pid)
        first = registry.new_run(queued_job("first"))
        second = registry.new_run(queued_job("second"))
        registry.update(first.id, created=1.0)
        registry.update(second.id, created=2.0)
        queue = JobQueue(registry, max_parallel=1)
        assert queue.position(first.id) == 1 and queue.position(second.id) == 2
        assert queue.running() == []  # the live run belongs to another server
        assert queue.stop(second.id).outcome == "cancelled"
        assert queue.position(second.id) == 0 and registry.get(second.id).status == "stopped"
        assert registry.get(first.id).status == "queued"
        assert queue.stop("no-such-run").outcome == "not_running"
    finally:
        busy.kill()
        busy.wait()


def test_submit_refuses_an_invalid_job_before_creating_a_run(tmp_path):
    registry = Registry(tmp_path)
    queue = JobQueue(registry)
    with pytest.raises(ConfigError, match="data.train_file"):
        queue.submit(JobConfig())
    assert registry.list() == []


def test_the_command_is_the_run_folders_train_command(tmp_path):
    registry = Registry(tmp_path)
    queue = JobQueue(registry, python="py")
    run = registry.new_run(queued_job("x"))  # not submitted: nothing starts
    assert queue.command(run) == ["py", "-m", "studio", "train",
                                  str(registry.folder(run).job_file),
                                  "--workspace", str(registry.workspace)]
    assert queue.max_parallel == 1 and JobQueue(Registry(tmp_path / "other"),
                                                max_parallel=0).max_parallel == 1


@pytest.mark.heavy
def test_queue_runs_one_at_a_time_and_cancels_waiting(data_dir, workspace):
    registry = Registry(workspace)
    queue = JobQueue(registry, max_parallel=1)
    def job(steps):
        return make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=steps,
                        train__batch_size=4, train__eval_before="false")
    first, second, third = queue.submit(job(6)), queue.submit(job(2)), queue.submit(job(2))
    assert registry.get(first.id).status == "running" and queue.running() == [first.id]
    assert queue.position(first.id) == 0 and queue.position(second.id) == 1
    assert queue.position(third.id) == 2
    assert queue.stop(third.id).outcome == "cancelled"
    statuses = wait_for(lambda: (s := [registry.get(r.id).status for r in (first, second)])
                        and all(x in ("done", "failed") for x in s) and s, 240,
                        what="both runs to end")
    assert statuses == ["done", "done"], [registry.get(r.id).reason for r in (first, second)]
    assert registry.get(third.id).status == "stopped"
    a, b = registry.get(first.id), registry.get(second.id)
    assert b.started >= a.finished - 1  # the second waited for the first
    out = registry.folder(first).stdout_file.read_text()
    assert f"run {first.id}" in out and "Traceback" not in out  # the child's own log file


class SleepBackend(Backend):
    """Each run's child is `sleep 30`: a child the queue itself started, through its public
    path, without training anything."""
    name = "test-sleep"

    def __init__(self):
        self.children: list[subprocess.Popen] = []

    def submit(self, run, argv, env, cwd, stdout_path):
        proc = subprocess.Popen(["sleep", "30"])
        proc.reason = ""
        self.children.append(proc)
        return proc


def test_close_starts_nothing_more_and_stops_children_only_when_asked(tmp_path):
    registry = Registry(tmp_path)
    run = registry.new_run(queued_job("child"))
    backend = SleepBackend()
    queue = JobQueue(registry, max_parallel=1, backend=backend)  # starts the queued run
    try:
        assert queue.running() == [run.id]
        assert queue.close(stop_runs=False) == []
        assert not registry.folder(run).stop_requested()  # it keeps training
        assert queue.close(stop_runs=True, wait=0.5) == [run.id]
        assert registry.folder(run).stop_requested()  # the marker the trainer honours
        assert backend.children[0].poll() is None  # asked, not waited for beyond `wait`
        backend.children[0].kill()
        backend.children[0].wait()
        waiting = queue.submit(queued_job("waiting"))  # a free place, but the queue is closed
        assert registry.get(waiting.id).status == "queued"  # stays for the next start
        assert len(backend.children) == 1
    finally:
        for child in backend.children:
            child.kill()
            child.wait()


def test_a_read_only_workspace_queues_nothing(tmp_path, monkeypatch):
    from studio import runs as runs_module
    from studio.errors import RunError
    Registry(tmp_path).new_run(queued_job("left-queued"))
    monkeypatch.setattr(runs_module, "writable", lambda path: False)
    registry = Registry(tmp_path)
    queue = JobQueue(registry)  # the queued run is not started: nothing could be written
    assert [r.status for r in registry.list()] == ["queued"] and queue.running() == []
    with pytest.raises(RunError) as err:
        queue.submit(queued_job("new"))
    assert err.value.code == "workspace_read_only"
    assert len(registry.list()) == 1
