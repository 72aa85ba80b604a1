"""Faults of a training process: kill -9, stop then resume, a second writer, a full disk.
The run ends in a state that says what happened, its files stay readable, and what the user
reads is one sentence."""
import resource
import signal

import pytest

from faultkit import (alive, cli, complete_checkpoints, event_lines, kill9, logged_steps,
                      no_traceback, one_sentence, registry_rows, run_folders, runs, start,
                      train_args, wait_for)

LONG = ("train.max_steps=3000", "train.eval_steps=5", "train.logging_steps=1")


def only_run(ws):
    folders = run_folders(ws)
    return folders[0] if len(folders) == 1 else None


@pytest.mark.heavy
def test_kill_9_of_a_training_process_marks_the_run_failed_and_keeps_its_events(tmp_path):
    ws = tmp_path / "ws"
    proc = start(*train_args(ws, *LONG), log=tmp_path / "out.log")
    try:
        run_dir = wait_for(lambda: only_run(ws), 120, what="the run folder")
        wait_for(lambda: logged_steps(run_dir) >= 3, 180, what="three logged steps")
    finally:
        kill9(proc)
    listed = runs(ws)
    assert [r["status"] for r in listed] == ["failed"]
    assert "ended without finishing" in listed[0]["reason"]
    assert registry_rows(ws)[run_dir.name][0] == "failed"  # recorded, not only shown
    events = event_lines(run_dir)  # every line parses: nothing torn
    assert events[0]["type"] in ("message", "stage", "start") and \
        [e["type"] for e in events].count("start") == 1
    assert not {"done", "failed", "stopped"} & {e["type"] for e in events}


@pytest.mark.slow
def test_stop_then_resume_trains_to_the_end_with_a_clean_record(tmp_path):
    ws = tmp_path / "ws"
    proc = start(*train_args(ws, "train.max_steps=120", "train.eval_steps=10",
                             "train.logging_steps=1"), log=tmp_path / "first.log")
    run_dir = wait_for(lambda: only_run(ws), 120, what="the run folder")
    wait_for(lambda: complete_checkpoints(run_dir), 240, what="a checkpoint")
    r = cli("stop", run_dir.name, "--workspace", str(ws))
    assert r.returncode == 0 and "Asked run" in r.stdout, r.stdout + r.stderr
    assert proc.wait(240) == 0
    stopped = event_lines(run_dir)[-1]
    assert stopped["type"] == "stopped" and stopped["step"] < 120
    assert (run_dir / "STOP").exists()
    assert runs(ws)[0]["status"] == "stopped" and runs(ws)[0]["reason"]

    r = cli("train", "--resume", run_dir.name, "--workspace", str(ws), timeout=600)
    no_traceback(r.stdout, r.stderr)
    assert r.returncode == 0, r.stderr[-2000:]
    assert not (run_dir / "STOP").exists()  # the old marker does not stop the new attempt
    events = event_lines(run_dir)
    assert events[-1]["type"] == "done"
    resumed = [e for e in events if e.get("code") == "resumed"]
    assert len(resumed) == 1 and resumed[0]["step"] <= stopped["step"]
    assert f"Resumed from step {resumed[0]['step']}" in r.stdout
    # The console shows only this attempt: one start, no replay of the stopped attempt.
    assert r.stdout.count("start: ") == 1 and "stopped at step" not in r.stdout
    last = [e["step"] for e in events if e["type"] == "log"][-1]
    assert last == 120
    listed = runs(ws)[0]
    assert listed["status"] == "done" and listed["reason"] == ""  # old reason gone


@pytest.mark.heavy
def test_resume_of_a_run_that_is_still_training_is_refused(tmp_path):
    ws = tmp_path / "ws"
    proc = start(*train_args(ws, *LONG), log=tmp_path / "out.log")
    try:
        run_dir = wait_for(lambda: only_run(ws), 120, what="the run folder")
        wait_for(lambda: logged_steps(run_dir) >= 1, 180, what="a logged step")
        r = cli("train", "--resume", run_dir.name, "--workspace", str(ws))
        said = one_sentence(r)
        assert "still training" in said and str(proc.pid) in said and "stop" in said, said
        lock = (run_dir / "LOCK").read_text().split()
        assert lock[0] == str(proc.pid)  # the first writer still holds the folder
        assert alive(proc.pid)
    finally:
        kill9(proc)
    assert [e["type"] for e in event_lines(run_dir)].count("start") == 1  # one writer


FSIZE = 256 * 1024  # below tiny-bert's 480 KB weights: the first checkpoint cannot be written


def limit_file_size():
    """In the child: files may not grow past FSIZE (Python ignores SIGXFSZ, so the write
    fails with EFBIG, as on a full disk)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE, FSIZE))


def assert_disk_full(ws, run_dir, said: str) -> None:
    assert said.startswith("The disk is full (") and " MB free in " in said, said
    assert "free space or set a workspace on another disk" in said
    final = event_lines(run_dir)[-1]
    assert final["type"] == "failed" and final["code"] == "disk_full"
    listed = runs(ws)  # the registry is still usable afterwards
    assert listed[0]["status"] == "failed" and listed[0]["reason"] == said
    partial = [p.name for p in (run_dir / "checkpoints").glob("checkpoint-*")
               if not (p / "trainer_state.json").exists()]
    assert partial == []  # a half-written checkpoint would break resume


@pytest.mark.heavy
def test_a_full_disk_at_the_first_checkpoint_fails_the_run_with_one_sentence(tmp_path):
    ws = tmp_path / "ws"
    r = cli(*train_args(ws, "train.max_steps=40", "train.eval_steps=5"),
            preexec=limit_file_size)
    said = one_sentence(r, code=1)
    assert_disk_full(ws, run_folders(ws)[0], said)


@pytest.mark.slow
def test_a_disk_filling_up_mid_run_keeps_the_last_good_checkpoint(tmp_path):
    ws = tmp_path / "ws"
    proc = start(*train_args(ws, *LONG), log=tmp_path / "out.log")
    try:
        run_dir = wait_for(lambda: only_run(ws), 120, what="the run folder")
        good = wait_for(lambda: complete_checkpoints(run_dir), 240, what="a checkpoint")[-1]
        resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (FSIZE, FSIZE))  # the disk fills
        assert proc.wait(240) == 1
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    out = (tmp_path / "out.log").read_text()
    no_traceback(out)
    said = out.strip().splitlines()[-1]
    assert said.startswith("error: ")
    assert_disk_full(ws, run_dir, said[len("error: "):])
    kept = complete_checkpoints(run_dir)
    assert kept and int(kept[-1].rsplit("-", 1)[1]) >= int(good.rsplit("-", 1)[1])
