"""One pace (studio.pace): the training callback writes the ETA, and the page, `python -m
studio runs` and the sweep's time budget read the same events, so they say the same time."""
from __future__ import annotations

import logging
import os
import re

import pytest
from transformers import TrainerControl, TrainerState

from components import live
from studio import callbacks, cli, pace
from studio.callbacks import EventCallback
from studio.config import JobConfig
from studio.events import EventWriter
from studio.runs import Registry
from studio.sweep import budget


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def time(self):
        return self.now


def state(step):
    s = TrainerState()
    s.global_step, s.epoch, s.num_input_tokens_seen = step, step / 40, 0
    return s


def run_cli(capsys, *args) -> str:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        assert cli.main(list(args)) == 0
    finally:  # main adds a console handler; tests must not pile them up
        for h in root.handlers[:]:
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)
    return capsys.readouterr().out


@pytest.fixture
def live_run(tmp_path, monkeypatch):
    """A run the registry lists as training (this process is its pid), whose events the
    engine's own callback wrote: a warm-up of 100 s, then a step a second."""
    clock = Clock()
    monkeypatch.setattr(callbacks, "time", clock)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    cfg = JobConfig(task="classification", name="pace")
    cfg.data.train_file = "/data/x.csv"
    registry = Registry(tmp_path)
    run = registry.new_run(cfg, status="running")
    registry.update(run.id, pid=os.getpid())
    writer = EventWriter(registry.folder(run).events_file)
    writer.emit("start", total_steps=40)
    cb = EventCallback(writer, cfg, 40)
    cb.started()
    cb.on_train_begin(None, state(0), TrainerControl())
    clock.now += 100.0
    cb.on_log(None, state(1), TrainerControl(), logs={"loss": 1.0})
    clock.now += 12.0
    cb.on_log(None, state(13), TrainerControl(), logs={"loss": 0.8})
    return tmp_path, registry, registry.get(run.id)


def page_eta(registry, run) -> float | None:
    tail, _ = live.advance(live.new_tail(run.id), registry.folder(run))
    line = live.progress_html(tail, "en")
    m = re.search(r"ETA (\d+) s", line)
    return float(m.group(1)) if m else None


def cli_eta(capsys, workspace, run) -> float | None:
    line = next(x for x in run_cli(capsys, "runs", "--workspace", str(workspace)).splitlines()
                if x.startswith(run.id))
    m = re.search(r"ETA (\d+) s", line)
    return float(m.group(1)) if m else None


def test_the_page_and_the_runs_command_show_the_same_eta_for_a_live_run(live_run, capsys):
    workspace, registry, run = live_run
    assert run.status == "running"
    # 12 steps in the 12 s after the first log (its 100 s warm-up is not pace), 27 to go
    assert page_eta(registry, run) == 27.0
    assert cli_eta(capsys, workspace, run) == 27.0
    assert "step 13/40" in run_cli(capsys, "runs", "--workspace", str(workspace))


def test_runs_json_carries_the_live_progress(live_run, capsys):
    import json
    workspace, _, run = live_run
    (row,) = json.loads(run_cli(capsys, "runs", "--workspace", str(workspace), "--json"))
    assert row["progress"] == {"step": 13, "total_steps": 40, "eta": 27.0}


def test_an_ended_run_tells_no_time_left():
    events = [{"type": "start", "total_steps": 4},
              {"type": "log", "step": 2, "elapsed": 2.0, "eta": 2.0},
              {"type": "stopped"}]
    assert pace.latest_eta(events) is None and pace.progress(events) is None
    assert pace.latest_eta(events[:2]) == 2.0


def test_the_sweep_budget_measures_with_the_same_pace():
    events = [{"type": "start", "total_steps": 40},
              {"type": "log", "step": 1, "elapsed": 100.0},
              {"type": "log", "step": 21, "elapsed": 110.0}]
    # the warm-up before the first log is not speed: 20 steps in 10 s
    assert budget.measure(events).steps_per_second == pace.steps_per_second(events[1], events[2])
    assert budget.measure(events).steps_per_second == 2.0
    assert pace.eta_seconds(events[1], events[2], 40) == 9.5
    # one log event: the only measure is from the start of training
    assert budget.measure(events[:2]).steps_per_second == pytest.approx(0.01)


def test_a_resumed_run_tells_the_new_attempts_eta():
    events = [{"type": "start", "total_steps": 10},
              {"type": "log", "step": 4, "elapsed": 4.0, "eta": 6.0},
              {"type": "stopped"},
              {"type": "start", "total_steps": 10}]
    assert pace.progress(events) is None  # resumed, no step logged yet
    events.append({"type": "log", "step": 6, "elapsed": 2.0, "eta": 4.0})
    assert pace.progress(events) == {"step": 6, "total_steps": 10, "eta": 4.0}
