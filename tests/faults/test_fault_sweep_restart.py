"""A sweep survives its app (item 8): the sweep's state is in its manifest and the
app re-arms it at start, hosted and local.

The scene a `kill -9` of the app leaves is built directly (a manifest, the first candidate still
training in a process that outlived the app, the others queued or not yet queued), then the real
`python app.py` starts on it, or `sweep.rearm` runs in-process with a fake clock."""
from __future__ import annotations

import json
import os
import time

from conftest import ROOT
from studio import events as ev
from studio.config import JobConfig
from studio.runs import Registry
from studio.sweep import load, rearm
from studio.sweep.manifest import Entry, Sweep, save

SAMPLE = ROOT / "assets" / "samples" / "reviews_sentiment.csv"
REASON = "Not started: the sweep's time budget of 0.5 minutes would have been exceeded."


class Queue:
    """The JobQueue's surface a sweep driver uses."""

    def __init__(self, registry):
        self.registry, self.submitted = registry, []

    def submit(self, cfg, owner="", **_):
        run = self.registry.new_run(cfg, owner=owner)
        self.submitted.append(run.id)
        return run

    def stop(self, run_id, owner=None):
        self.registry.update(run_id, status="stopped")


def candidate(name: str) -> JobConfig:
    cfg = JobConfig(task="classification", name=name)
    cfg.model.name = "tiny-bert"
    cfg.data.train_file = str(SAMPLE)
    return cfg


def killed_mid_sweep(registry: Registry, created: float, owner: str = "",
                     queued: bool = True, budget: float | None = 0.5) -> Sweep:
    """What a killed app leaves: candidate a training (in a process that is still alive: this
    one), b-d queued (local: all at once) or not yet queued (hosted: one slot per owner). The
    first candidate has trained 10 of its 20 steps in 10 s: 1 step/s."""
    sweep = Sweep(f"sweep-20260101-000000-{os.getpid():08x}", owner=owner, created=created,
                  budget_minutes=budget,
                  entries=[Entry(n, 20, candidate(n).to_dict()) for n in "abcd"])
    first = registry.new_run(sweep.entries[0].job(), owner=owner)
    registry.update(first.id, status="running", pid=os.getpid(), started=created)
    sweep.entries[0].run_id = first.id
    with open(registry.folder(first).events_file, "w") as f:
        for event in ({"type": "start", "total_steps": 20},
                      {"type": "log", "step": 10, "elapsed": 10.0}):
            f.write(json.dumps({**event, "time": created}) + "\n")
    if queued:
        for entry in sweep.entries[1:]:
            entry.run_id = registry.new_run(entry.job(), owner=owner).id
    save(registry.workspace, sweep)
    return sweep


def test_a_restarted_app_still_applies_the_sweeps_time_budget(tmp_path, app_server):
    """Local, 0.5-minute budget: 10 s spent + 10 s left of a + 20 s for b > 30 s, so b, c and d
    are cancelled with the reason by the app that starts after the kill (before the fix all
    four ran to done)."""
    registry = Registry(tmp_path / "ws")
    sweep = killed_mid_sweep(registry, created=time.time() - 10)
    app_server(tmp_path / "ws", timeout=400).close()
    runs = [registry.get(e.run_id) for e in sweep.entries]
    assert [r.status for r in runs] == ["running", "stopped", "stopped", "stopped"]
    assert all(r.reason == REASON for r in runs[1:])
    saved = load(registry.workspace, sweep.id)
    assert "so 3 candidate(s) were not started" in saved.note
    assert [bool(e.skipped) for e in saved.entries] == [False, True, True, True]


def test_rearm_queues_the_candidates_a_killed_hosted_app_never_queued(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_HOSTED", "1")  # one job per owner: the others waited
    registry = Registry(tmp_path)
    queue = Queue(registry)
    sweep = killed_mid_sweep(registry, created=1000.0, owner="anon:x", queued=False,
                             budget=None)
    drivers = rearm(queue, clock=lambda: 1010.0, drive=False)
    assert [d.sweep.id for d in drivers] == [sweep.id] and queue.submitted == []  # a trains
    registry.update(sweep.entries[0].run_id, status="done")
    assert drivers[0].tick() is False
    assert len(queue.submitted) == 1
    assert registry.get(queue.submitted[0]).owner == "anon:x"
    saved = load(registry.workspace, sweep.id)
    assert saved.entries[1].run_id == queue.submitted[0] and not saved.entries[2].run_id
    for _ in "cd":  # each next candidate once the one before is over
        registry.update(queue.submitted[-1], status="done")
        drivers[0].tick()
    registry.update(queue.submitted[-1], status="done")
    assert drivers[0].tick() is True and len(queue.submitted) == 3


def test_rearm_with_a_fake_clock_cuts_by_the_budget_counted_from_the_sweeps_start(tmp_path):
    registry = Registry(tmp_path)
    queue = Queue(registry)
    sweep = killed_mid_sweep(registry, created=1000.0, queued=False)
    # 5 s after the start: 5 + 10 left of a + 20 for b = 35 s > 30 s: b, c, d are recorded as
    # stopped runs, never queued.
    rearm(queue, clock=lambda: 1005.0, drive=False)
    saved = load(registry.workspace, sweep.id)
    assert queue.submitted == [] and [bool(e.skipped) for e in saved.entries] == [
        False, True, True, True]
    assert all(registry.get(e.run_id).status == "stopped" for e in saved.entries[1:])


def test_finished_and_foreground_sweeps_are_left_alone(tmp_path):
    registry = Registry(tmp_path)
    queue = Queue(registry)
    done = killed_mid_sweep(registry, created=1000.0, queued=False, budget=None)
    done.finished = True
    save(registry.workspace, done)
    cli = Sweep("sweep-20260101-000001-cafe", created=1000.0, mode="foreground",
                entries=[Entry("a", 20, candidate("a").to_dict())])
    save(registry.workspace, cli)
    assert rearm(queue, clock=lambda: 1010.0, drive=False) == []
    assert queue.submitted == []
    assert ev.read_all(registry.folder(done.entries[0].run_id).events_file)  # untouched
