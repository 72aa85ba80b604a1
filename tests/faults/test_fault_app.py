"""Faults around the running app (`python app.py` on a free port, driven like a browser with
gradio_client): kill -9 and restart with a run training, a CLI run in the same workspace,
SIGTERM / SIGINT while a child trains and a client is connected, --stop-runs-on-exit.
The queue never stalls, the app always exits within 10 s, and no traceback is printed."""
import signal
import time

import pytest

from faultkit import (NO_OVERRIDE, alive, cli, event_lines, logged_steps, make_read_only,
                      make_writable, no_traceback, read_only_prefix, registry_rows, run_folders,
                      start, train_args, wait_for)
from hosted_app import SAMPLES, App, client

pytestmark = pytest.mark.slow  # each starts the app two or three times: minutes in all

LONG = {"train.max_steps": 3000, "train.logging_steps": 1}  # stopped by the test


def submit(c, **settings) -> str:
    """Upload the sample on the Data step, pick tiny-bert, press Start: the new run's id."""
    run_id, message = press_start(c, **settings)
    assert isinstance(run_id, str) and run_id in str(message), (run_id, message)
    return run_id


def press_start(c, **settings) -> tuple:
    """The Data, Model and Train steps as a browser drives them: (run id, message)."""
    from gradio_client import handle_file

    from components import form
    c.predict(handle_file(str(SAMPLES / "reviews_sentiment.csv")), None, api_name="/on_file")
    c.predict("tiny-bert", api_name="/model_info")
    params = c.view_api(return_format="dict", print_info=False)["named_endpoints"]["/start"][
        "parameters"]
    paths = [*form.BASIC, *form.advanced_paths(hosted=False)]
    assert len(params) == len(paths), (len(params), len(paths))
    values = [p.get("parameter_default") for p in params]
    for path, value in {"train.batch_size": 16, "train.threads": 1, "train.eval_before": False,
                        **settings}.items():
        values[paths.index(path)] = value
    run_id, message, *_ = c.predict(*values, api_name="/start")
    return run_id, message


def connect(app: App):
    """A client as a browser tab: it keeps a connection open (gradio's heartbeat)."""
    return client(app, httpx_kwargs={"timeout": 120})  # a loaded machine answers slowly


def status(ws, run_id) -> str:
    return registry_rows(ws).get(run_id, ("",))[0]


def pid_of(ws, run_id) -> int:
    import sqlite3
    with sqlite3.connect(ws / "studio.sqlite") as db:
        return db.execute("SELECT pid FROM runs WHERE id=?", (run_id,)).fetchone()[0]


def stop_and_wait(ws, run_id, timeout=240) -> None:
    """`python -m studio stop RUN`, then wait for its final event."""
    r = cli("stop", run_id, "--workspace", str(ws))
    assert r.returncode == 0, r.stderr
    wait_for(lambda: any(e["type"] in ("stopped", "done", "failed")
                         for e in event_lines(ws / "runs" / run_id)), timeout,
             what=f"run {run_id} to end")


def signal_and_time(app: App, sig) -> float:
    t0 = time.time()
    app.proc.send_signal(sig)
    app.proc.wait(30)  # the assertion below says how long it really took
    return time.time() - t0


def test_kill_9_restart_and_sigterm_never_stall_the_queue(tmp_path, app_server):
    ws = tmp_path / "ws"
    first = app_server(ws)
    x = submit(connect(first), **LONG)
    wait_for(lambda: logged_steps(ws / "runs" / x) >= 1, 240, what="the first run's steps")
    x_pid = pid_of(ws, x)
    first.proc.kill()  # kill -9 of the app: its child trains on in its own session
    first.proc.wait(10)
    first.close()
    assert alive(x_pid) and status(ws, x) == "running"

    second = app_server(ws)
    try:
        c = connect(second)
        y = submit(c, **LONG)
        time.sleep(3)
        assert status(ws, y) == "queued" and status(ws, x) == "running"  # waits its turn
        stop_and_wait(ws, x)
        # Nobody submits anything more: the queue notices the adopted run ended.
        wait_for(lambda: status(ws, y) in ("running", "done"), 60,
                 what="the queued run to start after the adopted one ended")
        wait_for(lambda: logged_steps(ws / "runs" / y) >= 1, 240, what="its steps")
        y_pid = pid_of(ws, y)
        # SIGTERM with a child training and a client connected: closed within 10 s.
        took = signal_and_time(second, signal.SIGTERM)
        assert took < 10, took
        log = second.log()
        assert "keep training; the next start adopts them" in log
        assert alive(y_pid) and status(ws, y) == "running"  # the child keeps going
    finally:
        second.close()
    no_traceback(log)

    third = app_server(ws)  # adopts y; a run whose process vanished meanwhile is marked failed
    try:
        stop_and_wait(ws, y)
        r = cli("runs", "--json", "--workspace", str(ws))
        assert r.returncode == 0
        statuses = {x: status(ws, x), y: status(ws, y)}
        assert statuses == {x: "stopped", y: "stopped"}, statuses
        assert event_lines(ws / "runs" / y)[-1]["type"] == "stopped"
        took = signal_and_time(third, signal.SIGINT)
        assert took < 10, took
        no_traceback(third.log())
    finally:
        third.close()


def test_a_cli_run_holds_the_app_queue_and_stop_runs_on_exit_saves_the_model(tmp_path, app_server):
    ws = tmp_path / "ws"
    cli_run = start(*train_args(ws, "train.max_steps=3000", "train.logging_steps=1"),
                    log=tmp_path / "cli.log")
    z = wait_for(lambda: [p.name for p in (ws / "runs").glob("*")] if (ws / "runs").is_dir()
                 else None, 120, what="the CLI run")[0]
    wait_for(lambda: logged_steps(ws / "runs" / z) >= 1, 240, what="the CLI run's steps")
    app = app_server(ws, "--stop-runs-on-exit")
    try:
        w = submit(connect(app), **LONG)
        time.sleep(3)
        assert status(ws, w) == "queued"  # the CLI run counts as a running job
        stop_and_wait(ws, z)
        assert cli_run.wait(60) == 0
        wait_for(lambda: status(ws, w) in ("running", "done"), 60,
                 what="the app's run to start after the CLI run")
        wait_for(lambda: logged_steps(ws / "runs" / w) >= 1, 240, what="its steps")
        w_pid = pid_of(ws, w)
        took = signal_and_time(app, signal.SIGINT)
        assert took < 10, took
        log = app.log()
        assert f"asked 1 run(s) to stop with their model saved: {w}" in log, log[-2000:]
    finally:
        app.close()
    no_traceback(log, (tmp_path / "cli.log").read_text())
    wait_for(lambda: not alive(w_pid), 120, what="the stopped run's process to end")
    final = event_lines(ws / "runs" / w)[-1]
    assert final["type"] == "stopped" and "model trained so far was saved" in final["reason"]
    assert (ws / "runs" / w / "model").is_dir()
    r = cli("runs", "--json", "--workspace", str(ws))
    assert r.returncode == 0 and status(ws, w) == "stopped" and status(ws, z) == "stopped"


def test_the_app_browses_a_read_only_workspace_and_refuses_writes(tmp_path, monkeypatch,
                                                                  app_server):
    import sys
    ws = tmp_path / "ws"
    r = cli(*train_args(ws, "train.max_steps=2", "--name", "kept"))
    assert r.returncode == 0, r.stderr[-2000:]
    (ws / "server.log").touch()  # App's log file, made while the folder is still writable
    make_read_only(ws)
    prefix, why = read_only_prefix(ws)
    if why or prefix != NO_OVERRIDE:
        make_writable(ws)
        pytest.skip(f"cannot run the app without write access here: {why or 'not root'}")
    # App starts `sys.executable app.py ...`: run that same Python without the override.
    wrapper = tmp_path / "python-without-override"
    wrapper.write_text(f'#!/bin/sh\nexec {" ".join(NO_OVERRIDE)} {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    with monkeypatch.context() as m:
        m.setattr(sys, "executable", str(wrapper))
        app = app_server(ws)
    try:
        c = connect(app)
        table, _pick = c.predict([], "en", api_name="/list_runs")
        rows = (table or {}).get("data") or []
        kept = run_folders(ws)[0].name
        assert [str(row[0]) for row in rows] == [kept] and "done" in map(str, rows[0])
        said = str(c.predict([kept], "en", api_name="/delete_runs"))
        assert "read-only" in said, said
        assert [p.name for p in run_folders(ws)] == [kept]
        took = signal_and_time(app, signal.SIGTERM)
        assert took < 10, took
        log = app.log()
        assert "is read-only: runs can be browsed" in log
    finally:
        app.close()
        make_writable(ws)
    no_traceback(log)
