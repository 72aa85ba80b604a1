"""Resume on the page: the engine decides which run can resume (stopped or failed, with a
checkpoint, the owner's own), the queue runs the CLI's own `train --resume RUN`, and the
stopped event of the old attempt no longer ends the run once it is queued again."""
from __future__ import annotations

import subprocess

import pytest

from components import live, resume_button
from studio.config import JobConfig
from studio.errors import RunError
from studio.events import EventWriter
from studio.launcher import JobQueue
from studio.resuming import can_resume, resumable
from studio.runs import Registry


def stopped_run(registry: Registry, owner: str = "", checkpoint: bool = True,
                status: str = "stopped"):
    cfg = JobConfig(task="classification", name="r")
    cfg.data.train_file = "/data/reviews.csv"
    run = registry.new_run(cfg, owner=owner)
    folder = registry.folder(run)
    w = EventWriter(folder.events_file)
    w.emit("start", total_steps=40, validation_rows=4)
    w.emit("log", step=10, epoch=0.5, loss=0.6, elapsed=3.0, eta=9.0)
    w.emit(status, step=12, reason="Stopped by the user.")
    registry.update(run.id, status=status, reason="Stopped by the user.")
    if checkpoint:
        (folder.checkpoints_dir / "checkpoint-10").mkdir(parents=True)
    return registry.get(run.id)


class Recording:
    """A backend that records the command and starts nothing that trains."""
    name, remote, max_parallel = "recording", False, 1

    def __init__(self):
        self.argv = []

    def submit(self, run, argv, env, cwd, stdout_path):
        self.argv.append(argv)
        proc = subprocess.Popen(["sleep", "30"])
        proc.reason = ""
        return proc

    def reattach(self, run):
        return None


@pytest.fixture
def queue(tmp_path):
    backend = Recording()
    q = JobQueue(Registry(tmp_path / "ws"), python="py", backend=backend)
    yield q
    for proc in list(q._procs.values()):
        proc.kill()
        proc.wait()


def test_only_a_stopped_or_failed_run_with_a_checkpoint_can_resume(tmp_path):
    registry = Registry(tmp_path)
    assert can_resume(stopped_run(registry))
    assert can_resume(stopped_run(registry, status="failed"))
    assert not can_resume(stopped_run(registry, checkpoint=False))
    done = stopped_run(registry, status="done")
    assert not can_resume(done)
    with pytest.raises(RunError, match="only a stopped or failed run") as e:
        resumable(registry, done.id)
    assert e.value.code == "resume_not_ended"
    bare = stopped_run(registry, checkpoint=False)
    with pytest.raises(RunError, match="saved no checkpoint") as e:
        resumable(registry, bare.id)
    assert e.value.code == "resume_no_checkpoint"


def test_resume_queues_the_clis_resume_command_and_the_old_stop_no_longer_ends_it(queue):
    registry = queue.registry
    run = stopped_run(registry)
    out = resume_button.resume(queue, run.id, "en")
    assert "continues from its checkpoint at step 10" in out["message"], out["message"]
    assert out["run_id"] == run.id and out["timer"].active
    assert queue.backend.argv == [["py", "-m", "studio", "train", "--resume", run.id,
                                   "--workspace", str(registry.workspace)]]
    again = registry.get(run.id)  # the old "stopped" event does not reconcile it back
    assert again.status == "running" and again.reason == ""
    assert registry.folder(run).final_event() is None
    events = registry.folder(run).events()
    assert events[-1] == {**events[-1], "type": "resume", "step": 10}
    # The page following it drops the old end: no "stopped" box, the progress counts again.
    tail, _ = live.advance(live.new_tail(run.id), registry.folder(run))
    assert tail["final"] is None and live.status_text(tail, "en") == ""
    # A second click while it runs is refused with the sentence, nothing queued twice.
    out = resume_button.resume(queue, run.id, "en")
    assert "only a stopped or failed run can be resumed" in out["message"]
    assert len(queue.backend.argv) == 1


def test_a_queued_resume_survives_a_restart_as_a_resume(tmp_path):
    registry = Registry(tmp_path / "ws")
    run = stopped_run(registry)
    from studio.resuming import mark_resumed
    mark_resumed(registry.folder(run), 10)
    mark_resumed(registry.folder(run), 10)  # once per attempt
    assert [e["type"] for e in registry.folder(run).events()].count("resume") == 1
    registry.update(run.id, status="queued")  # a server stopped before it started it
    backend = Recording()
    queue = JobQueue(registry, python="py", backend=backend)  # the next server adopts it
    try:
        assert backend.argv[0][3:6] == ["train", "--resume", run.id]
    finally:
        for proc in queue._procs.values():
            proc.kill()
            proc.wait()


def test_another_owners_run_is_refused_like_a_missing_one(queue):
    run = stopped_run(queue.registry, owner="anon:alice")
    out = resume_button.resume(queue, run.id, "en", owner_value="anon:mallory")
    assert f"No run '{run.id}'" in out["message"] and "run_id" not in out
    assert queue.backend.argv == [] and queue.registry.get(run.id).status == "stopped"
    assert resume_button.shown(queue.registry, run.id, "anon:mallory")["resume"]["visible"] \
        is False
    assert resume_button.shown(queue.registry, run.id, "anon:alice")["resume"]["visible"]
    zh = resume_button.resume(queue, run.id, "zh-CN", owner_value="anon:mallory")
    assert "没有任务" in zh["message"]


def test_a_hosted_owner_over_their_disk_share_can_neither_start_nor_resume(queue, monkeypatch):
    """The per-owner disk share is the queue's own check, for a new job and a resumed one
    alike: a page or tool that forgets to ask first is still refused."""
    from studio import hosting, retention
    monkeypatch.setenv(hosting.HOSTED_ENV, "1")
    run = stopped_run(queue.registry, owner="alice")
    (queue.registry.folder(run).checkpoints_dir / "checkpoint-10" / "weights.bin").write_bytes(
        b"0" * 200_000)
    monkeypatch.setenv(retention.DISK_ENV, "0.1")  # MB; alice's run folder is larger
    with pytest.raises(RunError) as refused:
        queue.resume(run.id, owner="alice")
    assert refused.value.code == "disk_share_full"
    cfg = JobConfig(task="classification", name="again")
    cfg.model.name = "tiny-bert"
    cfg.data.train_file = "/data/reviews.csv"
    cfg.data.max_rows = 100
    with pytest.raises(RunError) as refused:
        queue.submit(cfg, owner="alice")
    assert refused.value.code == "disk_share_full"
    assert queue.registry.get(run.id).status == "stopped" and not queue.backend.argv
    monkeypatch.setenv(retention.DISK_ENV, "100")  # within the share: the resume is queued
    assert queue.resume(run.id, owner="alice").status in ("queued", "running")
