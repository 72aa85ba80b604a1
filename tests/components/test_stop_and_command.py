"""The Stop button says what the engine did (StopResult.outcome); the shown command is the
queue's own command (RunFolder.train_command), --workspace included."""
from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from components import train_step
from studio.control import StopResult
from studio.runs import Registry, RunFolder


class FakeQueue:
    def __init__(self, outcome):
        self.outcome, self.asked = outcome, []

    def stop(self, run_id, owner=None):
        self.asked.append(run_id)
        return StopResult(self.outcome, "English sentence for the CLI")


@pytest.mark.parametrize("outcome, en, zh", [
    ("not_running", "ℹ This run is not running.", "ℹ 该任务没有在运行。"),
    ("cancelled", "✔ The run was cancelled before it started.", "✔ 任务在开始前已被取消。"),
    ("asked", "⚠ Asked the run to stop at the next step. Click Stop again to kill it.",
     "⚠ 已请求任务在下一步停止。再次点击“停止”将立即终止。"),
    ("killed", "⚠ The run was killed.", "⚠ 任务已被终止。"),
])
def test_stop_says_what_the_engine_did(outcome, en, zh):
    queue = FakeQueue(outcome)
    assert train_step.stop_run(queue, "r1", "en") == {"message": en}
    assert train_step.stop_run(queue, "r1", "zh-CN") == {"message": zh}
    assert queue.asked == ["r1", "r1"]  # the page never looks at the stop marker itself


def test_stop_without_a_run_asks_nobody():
    queue = FakeQueue("killed")
    assert train_step.stop_run(queue, "", "en") == {"message": "ℹ No run to stop."}
    assert queue.asked == []


def test_command_is_relative_inside_the_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = RunFolder(tmp_path / "my ws" / "runs" / "r1")
    shown = train_step.cli_command(folder, tmp_path / "my ws")
    assert shown == "python -m studio train 'my ws/runs/r1/job.yaml' --workspace 'my ws'"


def test_command_keeps_absolute_paths_outside(tmp_path, monkeypatch):
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    folder = RunFolder(tmp_path / "ws" / "runs" / "r1")
    argv = shlex.split(train_step.cli_command(folder, tmp_path / "ws"))
    assert argv == ["python", "-m", "studio", "train", str(folder.job_file),
                    "--workspace", str(tmp_path / "ws")]


def test_command_is_what_the_queue_runs(tmp_path, monkeypatch):
    from studio.config import JobConfig
    from studio.launcher import JobQueue
    monkeypatch.chdir(tmp_path)
    registry = Registry(tmp_path / "ws")
    queue = JobQueue.__new__(JobQueue)  # no pump: only its command is needed
    queue.registry, queue.python = registry, "/usr/bin/python3"
    cfg = JobConfig()
    cfg.data.train_file = "x.csv"
    run = registry.new_run(cfg)
    ran = queue.command(run)
    shown = shlex.split(train_step.cli_command(registry.folder(run), registry.workspace))
    assert shown[0] == "python" and len(shown) == len(ran)
    resolve = lambda a: str(Path(a).resolve()) if Path(a).exists() else a  # noqa: E731
    assert [resolve(a) for a in shown[1:]] == [resolve(a) for a in ran[1:]]
