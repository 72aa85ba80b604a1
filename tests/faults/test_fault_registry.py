"""Faults of the registry and the workspace: garbage or emptied studio.sqlite, a copied
workspace, a foreign line in an event log, a read-only workspace. The run folders are the
truth: every run stays listed and usable, and no command ends in a traceback."""
import json
import shutil

import pytest

from faultkit import (SAMPLE, cli, event_lines, make_read_only, make_writable, no_traceback,
                      one_sentence, read_only_prefix, registry_rows, run_folders, runs,
                      train_args)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A workspace with two finished tiny-bert runs, made by the real CLI."""
    ws = tmp_path_factory.mktemp("faults") / "ws"
    for name in ("first", "second"):
        r = cli(*train_args(ws, "train.max_steps=4", "--name", name))
        assert r.returncode == 0, r.stderr[-2000:]
        no_traceback(r.stdout, r.stderr)
    return ws


@pytest.fixture
def ws(trained, tmp_path):
    copy = tmp_path / "ws"
    shutil.copytree(trained, copy)
    return copy


def ids(ws) -> list[str]:
    return sorted(p.name for p in run_folders(ws))


@pytest.mark.parametrize("damage", ["garbage", "empty"])
@pytest.mark.heavy
def test_a_damaged_or_emptied_registry_is_rebuilt_from_the_folders(ws, damage):
    db = ws / "studio.sqlite"
    for extra in ("-wal", "-shm"):
        (ws / f"studio.sqlite{extra}").unlink(missing_ok=True)
    db.write_bytes(b"\x00garbage\xffnot sqlite at all" * 300 if damage == "garbage" else b"")
    r = cli("runs", "--workspace", str(ws))
    no_traceback(r.stdout, r.stderr)
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(said) == 1 and "studio.sqlite" in said[0], r.stderr  # one line says so
    assert ("was damaged; moved it to" in said[0]) == (damage == "garbage")
    for run_id in ids(ws):
        assert run_id in r.stdout and "done" in r.stdout.split(run_id)[1].splitlines()[0]
    assert sorted(registry_rows(ws)) == ids(ws)  # the index holds every folder again
    assert {row[0] for row in registry_rows(ws).values()} == {"done"}
    aside = list(ws.glob("studio.sqlite.damaged-*"))
    assert len(aside) == (1 if damage == "garbage" else 0)  # kept for inspection
    # Said once: the next command finds a healthy registry and says nothing.
    again = cli("runs", "--workspace", str(ws))
    assert again.returncode == 0 and again.stderr.strip() == ""


@pytest.mark.heavy
def test_a_copied_workspace_reads_its_own_folders(ws, tmp_path):
    moved = tmp_path / "elsewhere" / "ws-copy"
    shutil.copytree(ws, moved)
    shutil.rmtree(ws)  # the original is gone: nothing may be read from it
    listed = runs(moved)
    assert sorted(r["id"] for r in listed) == ids(moved)
    assert all(r["run_dir"] == str(moved.resolve() / "runs" / r["id"]) for r in listed)
    assert all(r["status"] == "done" for r in listed)
    r = cli("predict", "first", "--text", "what a wonderful film", "--json",
            "--workspace", str(moved))
    no_traceback(r.stdout, r.stderr)
    assert r.returncode == 0 and json.loads(r.stdout)[0]["prediction"] in ("positive",
                                                                           "negative")


@pytest.mark.heavy
def test_a_null_line_in_an_event_log_is_skipped(ws):
    run_dir = run_folders(ws)[0]
    events = run_dir / "events.jsonl"
    lines = events.read_text().splitlines()
    # Valid JSON that is not an event object, and a torn line, before the final event.
    events.write_text("\n".join([*lines[:-1], "null", "[1, 2]", '{"type": "lo', lines[-1]])
                      + "\n")
    (ws / "studio.sqlite").unlink()  # rebuilt from the folders: reads every event log
    listed = {r["id"]: r for r in runs(ws)}
    assert listed[run_dir.name]["status"] == "done"
    r = cli("runs", "--workspace", str(ws))
    assert r.returncode == 0 and run_dir.name in r.stdout
    no_traceback(r.stdout, r.stderr)


@pytest.fixture
def read_only(ws):
    make_read_only(ws)
    prefix, why = read_only_prefix(ws)
    if why:
        make_writable(ws)
        pytest.skip(f"cannot run the CLI without write access here: {why}")
    yield ws, prefix
    make_writable(ws)


@pytest.mark.heavy
def test_a_read_only_workspace_lists_predicts_and_evaluates(read_only):
    ws, prefix = read_only
    before = {p: p.stat().st_mtime for p in ws.rglob("*")}
    listed = runs(ws, prefix=prefix)
    assert sorted(r["id"] for r in listed) == ids(ws)
    assert {r["status"] for r in listed} == {"done"}
    r = cli("predict", "first", "--text", "a dreadful plot", "--json", "--workspace", str(ws),
            prefix=prefix)
    no_traceback(r.stdout, r.stderr)
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)[0]["prediction"] in ("positive", "negative")
    r = cli("eval", "second", "--file", str(SAMPLE), "--json", "--workspace", str(ws),
            prefix=prefix)
    no_traceback(r.stdout, r.stderr)
    assert r.returncode == 0 and json.loads(r.stdout)["rows"] == 200, r.stderr[-2000:]
    assert {p: p.stat().st_mtime for p in ws.rglob("*")} == before  # nothing written


@pytest.mark.parametrize("command", [
    "train", "resume", "stop", "export",
])
@pytest.mark.heavy
def test_writing_commands_on_a_read_only_workspace_say_one_sentence(read_only, command):
    ws, prefix = read_only
    first = run_folders(ws)[0].name
    args = {"train": train_args(ws, "train.max_steps=2"),
            "resume": ["train", "--resume", first, "--workspace", str(ws)],
            "stop": ["stop", first, "--workspace", str(ws)],
            "export": ["export", first, "--format", "zip", "--workspace", str(ws)]}[command]
    r = cli(*args, prefix=prefix)
    said = one_sentence(r)
    assert said.lower().startswith(f"the workspace {ws} is read-only;".lower()), said
    assert "--workspace" in said
    assert len(run_folders(ws)) == 2  # no run created
