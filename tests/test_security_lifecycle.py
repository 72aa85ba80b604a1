"""Safe to host, round two: what a hosted studio keeps, for whom and for how long, attacked
through a running `python app.py --hosted` (items 7, 9, 10 and the export leftovers
of 15):

 7. the owner is written into the run folder: after a garbage studio.sqlite and a restart each
    owner sees exactly their runs again, and the janitor still sees them as anonymous runs;
 9. an upload is stored once (gradio's copy is moved into the workspace), counts in the
    owner's disk share (a tiny share refuses the next upload with the sentence) and is cleaned
    with the run retention when no kept run uses it;
10. a deleted run's download links stop answering, for its owner and for anyone else;
15. export temp folders a killed process left in `exports/` are removed at start.
"""
from __future__ import annotations

import functools

import os
import re
import secrets
import time
from pathlib import Path

import httpx
import pytest

from helpers import wait_for as shared_wait_for
from hosted_app import SAMPLES, App, client, form_values, run_ids

CSV = "text,label\n" + "".join(f"row {i} is a fine film,pos\nrow {i} is dull,neg\n"
                                for i in range(10))


def visitor(app: App, cookie: str, **kwargs):
    """A gradio_client with a fixed studio cookie: the same anonymous owner across restarts."""
    return client(app, headers={"Cookie": f"studio_client={cookie}"}, **kwargs)


# The shared wait (helpers.wait_for) with this module's patience.
wait_for = functools.partial(shared_wait_for, timeout=300, every=0.5)


def finished(workspace: Path, run_id: str) -> bool:
    from studio.runs import Registry
    run = Registry(workspace).get(run_id)
    return run is not None and run.status not in ("queued", "running")


# ---- 7 and 10: owners survive a rebuilt registry; deleted runs stop downloading --------------

@pytest.fixture(scope="module")
def two_owner_runs(tmp_path_factory, app_server):
    """Two anonymous visitors each start a tiny run (keeping the job.yaml link the Train step
    offers); both runs finish; the app is stopped."""
    root = tmp_path_factory.mktemp("lifecycle")
    env = {"GRADIO_TEMP_DIR": str(root / "gradio")}
    cookies = {"a": secrets.token_hex(20), "b": secrets.token_hex(20)}
    app = app_server(root / "ws", "--hosted", env=env, timeout=400)
    runs, links = {}, {}
    try:
        for who in ("a", "b"):
            runs[who], links[who] = start_with_link(visitor(app, cookies[who],
                                                            download_files=False))
        for who in ("a", "b"):
            wait_for(lambda: finished(app.workspace, runs[who]))
    finally:
        app.close()
    return {"root": root, "env": env, "cookies": cookies, "runs": runs, "links": links}


def start_with_link(c) -> tuple[str, str]:
    """Start a tiny-bert run on the sample: (run id, server path of its job.yaml download)."""
    from gradio_client import handle_file
    c.predict(handle_file(str(SAMPLES / "reviews_sentiment.csv")), None, api_name="/on_file")
    c.predict("tiny-bert", api_name="/model_info")
    values = form_values(c, {"train.epochs": 1, "train.batch_size": 16, "train.threads": 1})
    out = c.predict(*values, api_name="/start")
    run_id, message = out[0], out[1]
    assert run_id, message
    found = re.search(r"'path': '([^']+job\.yaml)'", repr(out))  # the yaml_file output
    assert found, out
    return run_id, found.group(1)


def test_a_rebuilt_registry_gives_each_owner_exactly_their_runs(two_owner_runs, app_server):
    from studio.runs import Registry
    s = two_owner_runs
    ws = s["root"] / "ws"
    (ws / "studio.sqlite").write_bytes(b"this is no database " * 100)
    for extra in ("-wal", "-shm"):
        Path(f"{ws / 'studio.sqlite'}{extra}").unlink(missing_ok=True)
    app = app_server(ws, "--hosted", env=s["env"], timeout=400)
    try:
        for who, other in (("a", "b"), ("b", "a")):
            c = visitor(app, s["cookies"][who])
            seen = run_ids(c.predict([], api_name="/list_runs")[0])
            assert seen == [s["runs"][who]], (who, seen, app.log()[-2000:])
    finally:
        app.close()
    assert list(ws.glob("studio.sqlite.damaged-*"))  # the rebuild happened
    registry = Registry(ws)
    owners = {registry.get(r).owner for r in s["runs"].values()}
    assert len(owners) == 2 and all(o.startswith("anon:") for o in owners)  # janitor sees them


def test_a_deleted_runs_download_links_stop_answering(two_owner_runs, tmp_path, app_server):
    """The job.yaml download the Train step offers (staged under <tmp>/studio-downloads/<run>,
    served from gradio's cache) answers nobody once the run is deleted."""
    from studio.retention import downloads_dir
    s = two_owner_runs
    app = app_server(s["root"] / "ws", "--hosted", env=s["env"], timeout=400)
    try:
        owner = visitor(app, s["cookies"]["b"])
        run_id = s["runs"]["b"]
        url = f"{app.url}gradio_api/file={s['links']['b']}"
        stranger = httpx.Client(timeout=60)
        same = httpx.Client(timeout=60, cookies={"studio_client": s["cookies"]["b"]})
        assert stranger.get(url).status_code == 200  # a link is a link: anyone holding it
        assert downloads_dir(run_id).is_dir()
        owner.predict([], api_name="/list_runs")  # the Runs step lists it: it can be picked
        out = owner.predict([run_id], api_name="/delete_runs")
        assert "Deleted 1 run" in str(out), out
        assert stranger.get(url).status_code != 200
        assert same.get(url).status_code != 200
        assert not downloads_dir(run_id).exists()
    finally:
        app.close()


# ---- 9: uploads stored once, counted in the share ---------------------------------------------

@pytest.fixture(scope="module")
def tiny_share(tmp_path_factory, app_server):
    root = tmp_path_factory.mktemp("uploads")
    app = app_server(root / "ws", "--hosted", timeout=400,
                     env={"GRADIO_TEMP_DIR": str(root / "gradio"),
                          "STUDIO_MAX_DISK_MB_PER_OWNER": "0.05"})
    yield app, root


def holding(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_an_upload_is_stored_once_and_counts_in_the_owners_share(tiny_share, tmp_path):
    from gradio_client import handle_file
    app, root = tiny_share
    c = visitor(app, secrets.token_hex(20))
    marker = f"marker-{secrets.token_hex(6)}"
    first = tmp_path / "first.csv"
    first.write_text(CSV + f"{marker} " + "x" * 30_000 + ",pos\n")  # ~31 KB of a 50 KB share
    summary = c.predict(handle_file(str(first)), None, api_name="/on_file")[0]
    assert "usable rows" in summary, summary
    copies = holding(root, marker.encode())
    assert len(copies) == 1, copies  # not gradio's cache and the workspace both
    assert copies[0].is_relative_to(app.workspace / "uploads")
    # A role change reads the kept file again: the upload still works after the move.
    second = tmp_path / "second.csv"
    second.write_text(CSV + "other " + "y" * 30_000 + ",neg\n")
    refused = c.predict(handle_file(str(second)), None, api_name="/on_file")[0]
    assert "runs and uploads take" in refused and "delete old runs" in refused, refused
    assert not holding(app.workspace, b"y" * 1000)  # the refused file was not kept
    # Another visitor has a share of their own.
    other = visitor(app, secrets.token_hex(20))
    assert "usable rows" in other.predict(handle_file(str(second)), None,
                                          api_name="/on_file")[0]


def test_the_janitor_removes_old_uploads_no_kept_run_uses(tmp_path):
    from studio import retention, uploads
    from studio.config import JobConfig
    from studio.hosting import Policy
    from studio.runs import Registry
    registry = Registry(tmp_path / "ws")
    gradio = tmp_path / "gradio"
    kept = []
    for name in ("used.csv", "unused.csv", "fresh.csv"):
        (gradio / name).parent.mkdir(parents=True, exist_ok=True)
        (gradio / name).write_text(CSV + name + ",pos\n")
        kept.append(Path(uploads.keep(str(gradio / name), registry.workspace, "anon:x")))
    assert not any(gradio.glob("*.csv"))  # moved, not copied
    cfg = JobConfig()
    cfg.model.name = "tiny-bert"
    cfg.data.train_file = str(kept[0])
    registry.new_run(cfg, owner="anon:x", status="done")
    old = time.time() - 8 * 86400
    for path in kept[:2]:
        os.utime(path, (old, old))
    assert retention.owner_disk_mb(registry, "anon:x") > 0  # uploads count in the share

    class Queue:
        def stop(self, run_id):
            pass
    done = retention.Janitor(registry, Queue(), Policy.hosted_defaults()).sweep()
    assert done["uploads"] == [str(kept[1])]
    assert kept[0].exists() and not kept[1].exists() and kept[2].exists()


# ---- 15: export leftovers --------------------------------------------------------------------

def test_export_temp_folders_of_a_dead_process_are_removed_at_start(tmp_path):
    from studio.config import JobConfig
    from studio.export.leftovers import clean_exports
    from studio.retention import clean_at_start
    from studio.runs import Registry
    registry = Registry(tmp_path)
    cfg = JobConfig()
    cfg.model.name = "tiny-bert"
    run = registry.new_run(cfg, status="done")
    exports = registry.folder(run).exports_dir
    dead = _dead_pid()
    left = [exports / f".tmp-onnx-{dead}-abc123", exports / f".tmp-zip-{dead}-def456",
            exports / f".tmp-merged-{dead}-0a0b0c", exports / ".old-onnx-123abc"]
    live = exports / f".tmp-gguf-f16-{os.getpid()}-fff000"  # an export running right now
    for folder in (*left, live, exports / "onnx"):
        folder.mkdir(parents=True)
        (folder / "model.bin").write_bytes(b"\0" * 1024)
    assert clean_at_start(registry) == len(left)
    assert sorted(p.name for p in exports.iterdir()) == sorted([live.name, "onnx"])
    assert clean_exports(exports, now=time.time() + 2 * 86400) == 1  # abandoned after a day


def test_app_start_removes_export_leftovers(tmp_path, app_server):
    from studio.config import JobConfig
    from studio.runs import Registry
    registry = Registry(tmp_path / "ws")
    cfg = JobConfig()
    cfg.model.name = "tiny-bert"
    run = registry.new_run(cfg, status="done")
    leftover = registry.folder(run).exports_dir / f".tmp-onnx-{_dead_pid()}-abc123"
    leftover.mkdir(parents=True)
    app_server(tmp_path / "ws", timeout=400).close()
    assert not leftover.exists()


def _dead_pid() -> int:
    import subprocess
    import sys
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_pages_api_description_stays_light(tiny_share):
    """Every event is an endpoint described in the page and in /gradio_api/info (which every
    gradio_client downloads when it connects): the form's checks are one event with many
    triggers, not 45 copies (1.5 MB of description, 15 of 20 clients timing out at once)."""
    app, _ = tiny_share
    info = httpx.get(app.url + "gradio_api/info", timeout=120)
    names = list(info.json()["named_endpoints"])
    assert [n for n in names if n.startswith("/do_estimate")] == ["/do_estimate"]
    assert [n for n in names if n.startswith("/on_change")] == ["/on_change"]
    assert len(info.content) < 600_000, len(info.content)
    assert len(httpx.get(app.url, timeout=120).content) < 1_200_000
