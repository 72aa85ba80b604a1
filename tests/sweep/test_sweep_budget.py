"""studio.sweep.budget and the driver: the first candidate's speed decides which queued
candidates would end past the budget; those are cancelled with the reason, visible in `runs`."""
import pytest

from fakes import FakeQueue
from studio.config import JobConfig
from studio.runs import Registry
from studio.sweep import Driver, load, progress
from studio.sweep.budget import Speed, measure, over_budget
from studio.sweep.manifest import Entry, Sweep, save


def test_measure_reads_steps_per_second_and_the_time_around_the_steps():
    events = [{"type": "start", "total_steps": 40},
              {"type": "log", "step": 1, "elapsed": 0.5},
              {"type": "log", "step": 20, "elapsed": 10.0}]
    assert measure(events) == Speed(2.0, 0.0)
    events.append({"type": "done", "elapsed": 35.0, "metrics": {"steps": 40}})
    assert measure(events) == Speed(2.0, 15.0)  # 40 steps take 20 s of the 35
    assert measure([{"type": "start"}]) is None


def test_over_budget_cuts_the_first_candidate_that_would_end_late_and_all_after_it():
    speed = Speed(2.0, 5.0)  # a 100-step candidate: 55 s
    queued = [("a", 100), ("b", 100), ("c", 10)]
    cut, total = over_budget(180, 30, 20, queued, speed)
    # 30 spent + 20 left of the running one + 55 (a) = 105 <= 180; + 55 (b) = 160; + 10 = 170
    assert cut == [] and total == pytest.approx(170)
    cut, total = over_budget(120, 30, 20, queued, speed)
    assert cut == ["b", "c"]  # c alone would fit, but the budget stops launching at b
    assert total == pytest.approx(170)


def candidate(name: str) -> JobConfig:
    cfg = JobConfig(task="classification", name=name)
    cfg.data.train_file = "/data/reviews.csv"
    return cfg


def test_the_driver_cancels_queued_candidates_past_the_budget(tmp_path):
    registry = Registry(tmp_path)
    queue = FakeQueue(registry)
    sweep = Sweep("sweep-t", created=1000.0, budget_minutes=2,
                  entries=[Entry(n, 60, candidate(n).to_dict()) for n in ("a", "b", "c")])
    for entry in sweep.entries:
        entry.run_id = queue.submit(entry.job()).id
    registry.update(sweep.entries[0].run_id, status="running")
    save(registry.workspace, sweep)
    # 1 step/s, faked: 10 s spent + 60 s left of a + 60 s for b = 130 s > 120 s
    driver = Driver(queue, sweep, clock=lambda: 1010.0, speed_of=lambda entry: Speed(1.0))
    assert driver.tick() is False  # a still runs
    statuses = [registry.get(e.run_id) for e in sweep.entries]
    assert [r.status for r in statuses] == ["running", "stopped", "stopped"]
    reason = "Not started: the sweep's time budget of 2 minutes would have been exceeded."
    assert statuses[1].reason == reason and statuses[2].reason == reason
    saved = load(registry.workspace, sweep.id)
    assert saved.note == ("The time budget of 2 minutes would be exceeded (about 3 minutes in "
                          "all at the first candidate's 1.00 steps/s), so 2 candidate(s) were "
                          "not started; raise the budget to run them.")
    lines = progress(registry, sweep.id)
    assert [ln.status for ln in lines] == ["running", "skipped", "skipped"]
    assert lines[1].text().endswith(f"({reason})")


def test_no_cut_while_the_estimate_fits_or_before_a_speed_is_known(tmp_path):
    registry = Registry(tmp_path)
    queue = FakeQueue(registry)
    sweep = Sweep("sweep-u", created=1000.0, budget_minutes=10,
                  entries=[Entry(n, 60, candidate(n).to_dict()) for n in ("a", "b")])
    for entry in sweep.entries:
        entry.run_id = queue.submit(entry.job()).id
    Driver(queue, sweep, clock=lambda: 1010.0, speed_of=lambda e: None).tick()
    Driver(queue, sweep, clock=lambda: 1010.0, speed_of=lambda e: Speed(1.0)).tick()
    assert [registry.get(e.run_id).status for e in sweep.entries] == ["queued", "queued"]
    assert sweep.note == ""


def test_hosted_one_job_per_owner_feeds_candidates_one_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_HOSTED", "1")  # Policy.hosted_defaults: one job per owner
    registry = Registry(tmp_path)
    queue = FakeQueue(registry)
    sweep = Sweep("sweep-h", owner="alice", created=1000.0,
                  entries=[Entry(n, 10, candidate(n).to_dict()) for n in ("a", "b")])
    sweep.entries[0].run_id = queue.submit(sweep.entries[0].job(), owner="alice").id
    driver = Driver(queue, sweep)
    driver.feed()
    assert queue.submitted == [sweep.entries[0].run_id]  # b waits for a's slot
    save(registry.workspace, sweep)
    assert [ln.status for ln in progress(registry, sweep.id, owner="alice")] == [
        "queued", "waiting"]
    registry.update(sweep.entries[0].run_id, status="done")
    assert driver.tick() is False
    assert len(queue.submitted) == 2 and registry.get(queue.submitted[1]).owner == "alice"
    registry.update(queue.submitted[1], status="done")
    assert driver.tick() is True  # every candidate is over


def test_a_candidate_never_queued_is_recorded_as_a_stopped_run_when_cut(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_HOSTED", "1")
    registry = Registry(tmp_path)
    queue = FakeQueue(registry)
    sweep = Sweep("sweep-v", owner="bob", created=1000.0, budget_minutes=1,
                  entries=[Entry(n, 60, candidate(n).to_dict()) for n in ("a", "b")])
    sweep.entries[0].run_id = queue.submit(sweep.entries[0].job(), owner="bob").id
    registry.update(sweep.entries[0].run_id, status="running")
    Driver(queue, sweep, clock=lambda: 1000.0, speed_of=lambda e: Speed(1.0)).tick()
    skipped = registry.get(sweep.entries[1].run_id, owner="bob")
    assert skipped.status == "stopped" and skipped.reason.startswith("Not started")
    assert queue.submitted == [sweep.entries[0].run_id]  # never queued, only recorded
