"""studio.control.request_stop: cancel a queued run, ask a live one, kill on the second ask."""
import subprocess

import pytest

from studio.config import JobConfig
from studio.control import StopResult, request_stop
from studio.processes import pid_alive as _alive
from studio.runs import Registry


@pytest.fixture
def registry(tmp_path):
    return Registry(tmp_path)


def new_run(registry):
    cfg = JobConfig(task="classification")
    cfg.data.train_file = "/data/reviews.csv"
    return registry.new_run(cfg)


@pytest.fixture
def sleeper():
    procs = []

    def start(**kw):
        proc = subprocess.Popen(["sleep", "60"], **kw)
        procs.append(proc)
        return proc
    yield start
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()


def test_a_finished_run_is_not_running(registry):
    run = new_run(registry)
    registry.update(run.id, status="done")
    result = request_stop(registry, registry.get(run.id))
    assert result == StopResult("not_running", f"Run {run.id} is already done.")
    assert str(result) == result.message
    assert not registry.folder(run).stop_file.exists()


def test_a_queued_run_is_cancelled(registry):
    run = new_run(registry)
    result = request_stop(registry, registry.get(run.id))
    assert result.outcome == "cancelled" and "cancelled before it started" in result.message
    got = registry.get(run.id)
    assert got.status == "stopped" and got.reason == "Cancelled before it started."
    events = registry.folder(run).events()
    assert [e["type"] for e in events] == ["stopped"]
    assert events[0]["step"] == 0 and events[0]["model_path"] is None


@pytest.mark.parametrize("own_group", [False, True])
def test_a_live_run_is_asked_then_killed(registry, sleeper, own_group):
    proc = sleeper(start_new_session=own_group)
    run = new_run(registry)
    registry.update(run.id, status="running", pid=proc.pid)

    first = request_stop(registry, registry.get(run.id))
    assert first.outcome == "asked" and "Stop again to kill it" in first.message
    assert registry.folder(run).stop_requested()
    assert proc.poll() is None  # asked, not killed: it saves the model at the next step
    assert registry.get(run.id).status == "running"

    second = request_stop(registry, registry.get(run.id))
    assert second == StopResult("killed", f"Killed run {run.id}.")
    assert proc.wait(timeout=10) == -9
    got = registry.get(run.id)
    assert got.status == "stopped" and got.reason == "Killed on a second stop request."
    final = registry.folder(run).final_event()
    assert final["type"] == "stopped" and "not saved" in final["reason"]


def test_kill_takes_the_whole_process_group(registry, tmp_path):
    """The page starts each run in its own session: its children die with it."""
    proc = subprocess.Popen(["bash", "-c", "sleep 60 & echo $!; wait"], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        child = int(proc.stdout.readline())
        run = new_run(registry)
        registry.update(run.id, status="running", pid=proc.pid)
        request_stop(registry, registry.get(run.id))
        assert request_stop(registry, registry.get(run.id)).outcome == "killed"
        proc.wait(timeout=10)
        import time
        deadline = time.time() + 10
        while _alive(child) and time.time() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_run_that_ended_after_the_first_request_keeps_its_own_ending(registry, sleeper):
    from studio.events import EventWriter
    proc = sleeper()
    run = new_run(registry)
    registry.update(run.id, status="running", pid=proc.pid)
    stale = registry.get(run.id)
    assert request_stop(registry, stale).outcome == "asked"
    EventWriter(registry.folder(run).events_file).emit("stopped", step=4, model_path="m",
                                                       reason="Stopped on request.")
    proc.kill()
    proc.wait()
    again = request_stop(registry, registry.get(run.id))  # re-read: the log says it ended
    assert again == StopResult("not_running", f"Run {run.id} is already stopped.")
    request_stop(registry, stale)  # an old copy of the entry adds no second ending
    events = registry.folder(run).events()
    assert [e["type"] for e in events] == ["stopped"] and events[0]["step"] == 4
