"""The studio attacked as a hosted demo: `python app.py --hosted` driven by outsiders through
gradio_client and raw HTTP. Each test is one item of the hosted threat model:

 1. an uploaded model module (config.json auto_map + a .py) never runs: no marker file;
 2. a forged file payload (/etc/passwd, another browser's upload) is refused, nothing copied;
 3. browser B cannot list, follow, stop, open or delete browser A's run, A can; logins are
    slowed per client; a training child's environment holds no secret;
 4. the model box takes presets and Hub ids only and never tells whether a folder exists;
 5. an upload over the limit is refused with the studio's sentence;
 6. a 5,000-label column is refused before training; a 300-class run's Try view is bounded.

Two apps are started once per module: an anonymous hosted one (--max-upload-mb 1) and one with
logins (--auth-file, plus secrets in its environment).
"""
from __future__ import annotations

import functools

import json
import os
import re
import sys
import threading
import time
from pathlib import Path

import pytest

from gradio_client import handle_file
from helpers import wait_for as shared_wait_for
from hosted_app import (SAMPLES, App, browser_http, client, file_data, form_values, raw_call,
                        run_ids, start_training, upload)

MARKER_NAME = "remote-code-ran.txt"
SECRET_CSV = b"text,label\nthe launch code is 0000 and it is secret,secret\nhello,other\n"


@pytest.fixture(scope="module")
def hosted(tmp_path_factory, app_server):
    app = app_server(tmp_path_factory.mktemp("hosted-ws"), "--hosted", "--max-upload-mb", "1")
    yield app


@pytest.fixture(scope="module")
def with_logins(tmp_path_factory, app_server):
    folder = tmp_path_factory.mktemp("login-ws")
    users = folder.parent / "users.txt"
    users.write_text("alice:alice-pw\nbob:bob-pw\n")
    app = app_server(folder, "--hosted", "--auth-file", str(users),
                     env={"STUDIO_AUTH": "carol:carol-pw", "HF_TOKEN": "hf_server_secret",
                          "MY_API_KEY": "server-key",
                          # names no deny-list catches: the child's environment is an allow-list
                          "DATABASE_URL": "postgres://u:dbpass-xyz@h/db",
                          "OPENAI_KEY": "sk-server"})
    yield app


def workspace_files(app: App) -> list[Path]:
    return [p for p in app.workspace.rglob("*") if p.is_file()]


def copied(app: App, needle: bytes) -> list[Path]:
    """Files in the workspace holding `needle`: what a refused file must never become."""
    return [p for p in workspace_files(app) if p.stat().st_size < 5_000_000 and
            needle in p.read_bytes()]


# The shared wait (helpers.wait_for) with this module's patience.
wait_for = functools.partial(shared_wait_for, timeout=180, every=0.5)


def registry_run(app: App, run_id: str):
    from studio.runs import Registry
    return Registry(app.workspace).get(run_id)


# ---- the page says which mode it is in --------------------------------------------------------

def test_page_says_hosted_mode_with_its_limits(hosted):
    config = browser_http(hosted).get("config").text
    assert "Hosted mode" in config and "private to this browser" in config
    assert "files up to 1 MB" in config and "removed after 7 days" in config
    # The hosted form has no trust_remote_code field at all.
    assert "f-model-trust-remote-code" not in config


# ---- 2. confined inputs ------------------------------------------------------------------------

@pytest.mark.parametrize("api", ["on_file", "predict_file"])
def test_forged_path_to_a_server_file_is_refused_and_not_copied(hosted, api):
    attacker = browser_http(hosted)
    data = [file_data("/etc/passwd"), None] if api == "on_file" else \
        [None, file_data("/etc/passwd")]
    kind, payload = raw_call(attacker, api, data)
    if kind == "complete":  # refused by the studio: one sentence, nothing read
        text = json.dumps(payload)
        assert "was not uploaded in this browser session" in text and "root:" not in text
    else:  # refused by gradio's own check before the handler ran
        assert kind == "error"
    assert copied(hosted, b"root:x:0:0") == []


@pytest.mark.parametrize("api", ["on_file", "predict_file"])
def test_another_browsers_upload_is_refused_and_not_copied(hosted, api):
    victim, attacker = browser_http(hosted), browser_http(hosted)
    secret = SECRET_CSV.replace(b"0000", api.encode())
    [path] = upload(victim, ("private.csv", secret))
    data = [file_data(path), None] if api == "on_file" else [None, file_data(path)]
    kind, payload = raw_call(attacker, api, data)
    assert kind == "complete", payload
    text = json.dumps(payload, ensure_ascii=False)
    assert "The file 'private.csv' was not uploaded in this browser session" in text
    assert "launch code" not in text and "secret" not in text
    assert copied(hosted, secret) == []
    if api == "on_file":  # the uploader itself may use it
        kind, payload = raw_call(victim, api, data)
        assert kind == "complete" and "2 usable rows" in json.dumps(payload), payload


# ---- 5. upload limit ---------------------------------------------------------------------------

def test_upload_over_the_limit_is_refused_with_the_sentence(hosted):
    http = browser_http(hosted)
    r = http.post("gradio_api/upload",
                  files=[("files", ("big.csv", b"text,label\n" + b"x" * (3 * 2**20 // 2)))])
    assert r.status_code == 413
    assert r.text == ("This file is larger than this studio accepts (1 MB); upload a smaller "
                      "sample or a compressed format such as Parquet.")
    assert copied(hosted, b"x" * 1000) == []


# ---- 4. model box ------------------------------------------------------------------------------

def test_model_box_takes_presets_and_hub_ids_and_reveals_no_folder(hosted, tmp_path):
    c = client(hosted)
    real = tmp_path / "a-model"
    real.mkdir()
    (real / "config.json").write_text('{"model_type": "bert"}')
    answers = {name: c.predict(name, api_name="/check_model")
               for name in (str(real), str(tmp_path / "missing"), "/etc", "../../etc/passwd")}
    assert len(set(answers.values())) == 1, answers
    text = next(iter(answers.values()))
    assert "must be a preset or a Hugging Face Hub id" in text and str(tmp_path) not in text
    assert "can learn" in c.predict("tiny-bert", api_name="/model_info")


# ---- 1. uploaded model code --------------------------------------------------------------------

EVIL_CONFIG = {"model_type": "evilbert", "architectures": ["EvilModel"],
               "auto_map": {"AutoConfig": "evil.EvilConfig", "AutoModel": "evil.EvilModel",
                            "AutoModelForSequenceClassification": "evil.EvilModel"}}


def evil_module(marker: Path) -> str:
    return (f"import os, pathlib\n"
            f"pathlib.Path(os.environ.get('EVIL_MARKER') or {str(marker)!r}).write_text("
            f"'ran with STUDIO_AUTH=' + os.environ.get('STUDIO_AUTH', ''))\n"
            f"from transformers import PretrainedConfig\n"
            f"class EvilConfig(PretrainedConfig):\n    model_type = 'evilbert'\n"
            f"EvilModel = EvilConfig\n")


def test_uploaded_model_module_never_runs(hosted, tmp_path):
    import subprocess
    marker = tmp_path / MARKER_NAME
    folder = tmp_path / "evil-model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(EVIL_CONFIG))
    (folder / "evil.py").write_text(evil_module(marker))
    # The attack is real: trusting the folder's code runs it (in a throwaway process).
    control = tmp_path / "control-marker"
    env = {**os.environ, "EVIL_MARKER": str(control), "HF_MODULES_CACHE": str(tmp_path / "m")}
    subprocess.run([sys.executable, "-c", "from transformers import AutoConfig; "
                    f"AutoConfig.from_pretrained({str(folder)!r}, trust_remote_code=True)"],
                   env=env, capture_output=True, timeout=120)
    assert control.exists(), "the control attack did not run: the test proves nothing"

    # The attacker uploads the files through the page and names their folders as the model.
    attacker = browser_http(hosted)
    paths = upload(attacker, ("config.json", json.dumps(EVIL_CONFIG).encode()),
                   ("evil.py", evil_module(marker).encode()))
    c = client(hosted)
    for name in (str(folder), os.path.dirname(paths[0]), os.path.dirname(paths[1])):
        assert "must be a preset or a Hugging Face Hub id" in c.predict(
            name, api_name="/check_model")
    # No model was accepted, so Start has nothing to train.
    c.predict(handle_file(str(SAMPLES / "reviews_sentiment.csv")), None, api_name="/on_file")
    message = c.predict(*form_values(c), api_name="/start")[1]  # run id, message, ...
    assert message == "✖ Choose a model in step 2 first."

    # A crafted job asking for remote code is refused by the training child itself.
    from studio.config import JobConfig
    cfg = JobConfig(task="classification")
    cfg.data.train_file = str(SAMPLES / "reviews_sentiment.csv")
    cfg.model.name, cfg.model.trust_remote_code = str(folder), True
    job = tmp_path / "job.yaml"
    cfg.to_yaml(job)
    done = subprocess.run([sys.executable, "-m", "studio", "train", str(job), "--workspace",
                           str(tmp_path / "ws")], cwd=hosted.workspace.parent,
                          env={**os.environ, "STUDIO_HOSTED": "1",
                               "HF_MODULES_CACHE": str(tmp_path / "m2"),
                               "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
                          capture_output=True, text=True, timeout=180)
    assert done.returncode != 0
    assert "does not run code shipped with models" in done.stdout + done.stderr
    assert not marker.exists()


# ---- 3. owners ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def a_run(hosted):
    """Browser A's tiny run, trained to the end: (A's client, run id)."""
    a = client(hosted)
    run_id, message = start_training(a)
    assert "submitted" in message, message
    return a, run_id


def test_run_ids_are_not_guessable(a_run):
    _, run_id = a_run
    assert re.search(r"-[0-9a-f]{12}$", run_id), run_id


def test_browser_b_cannot_reach_browser_a_s_run(hosted, a_run):
    a, run_id = a_run
    b = client(hosted)
    fake = run_id[:-12] + "0" * 12
    # List: A sees its run, B does not.
    assert run_id in run_ids(a.predict([], api_name="/list_runs")[0])
    assert run_id not in run_ids(b.predict([], api_name="/list_runs")[0])
    # Follow (the timer's poll and the page-load reattach): like a run that does not exist.
    assert b.predict(run_id, api_name="/do_poll") == b.predict(fake, api_name="/do_poll")
    assert run_id not in json.dumps(b.predict(run_id, api_name="/do_poll"))
    assert b.predict(run_id, api_name="/load")[1] == ""  # the run_id output: dropped
    # Stop: same answer as for a missing run, and A's run goes on.
    assert b.predict(run_id, api_name="/stop") == b.predict(fake, api_name="/stop") == \
        "ℹ This run is not running."
    assert registry_run(hosted, run_id).status in ("queued", "running", "done")
    # Open in the playground, predict with, delete: refused like a missing run.
    for api, arg in (("/open_run", run_id), ("/reopen", [run_id]),
                     ("/delete_runs", [run_id]), ("/overlay", [run_id])):
        with pytest.raises(Exception):
            b.predict(arg, api_name=api)
    with pytest.raises(Exception):
        b.predict(run_id, "great film", False, api_name="/classify")
    assert registry_run(hosted, run_id) is not None
    assert (hosted.workspace / "runs" / run_id).exists()
    # Export and push: nothing is written for B, and no token of the server's is used.
    for api, args in (("/export_run", (run_id, "zip", "f16")),
                      ("/push_to_hub", (run_id, "evil/copy", "", False))):
        try:
            out = b.predict(*args, api_name=api)
        except Exception:  # noqa: BLE001 - refused by gradio's own choice check: fine too
            out = None
        assert run_id not in json.dumps(out, default=str)
    assert not (hosted.workspace / "runs" / run_id / "exports").exists()


def test_browser_a_can_follow_open_and_delete_its_run(hosted, a_run):
    a, run_id = a_run
    # The raw form: a forged run id in the BrowserState input of the engine-checked handlers.
    wait_for(lambda: registry_run(hosted, run_id).status in ("done", "failed", "stopped"))
    assert registry_run(hosted, run_id).status == "done", hosted.log()[-3000:]
    polled = a.predict(run_id, api_name="/do_poll")
    assert run_id in json.dumps(polled)
    assert a.predict(run_id, api_name="/load")[1] == run_id
    a.predict(run_id, api_name="/do_refresh")  # the Try step's run list, A's runs
    assert run_id in json.dumps(a.predict(run_id, api_name="/open_run"))
    label, _, message = a.predict(run_id, "a great film", False, api_name="/classify")
    assert message == "" and label["label"] in ("positive", "negative")
    # B's attempts above left it alone; A deletes it.
    a.predict([], api_name="/list_runs")
    out = a.predict([run_id], api_name="/delete_runs")
    assert "Deleted 1 run" in json.dumps(out)
    assert registry_run(hosted, run_id) is None


# ---- 3. logins and secrets ---------------------------------------------------------------------

def test_sixth_wrong_password_is_delayed_while_others_log_in(with_logins):
    attacker = browser_http(with_logins, local_address="127.0.0.2")
    user = browser_http(with_logins, local_address="127.0.0.3")

    def attempt(http, password):
        t0 = time.time()
        r = http.post("login", data={"username": "alice", "password": password})
        return r.status_code, time.time() - t0

    # No wall-clock upper bounds (a loaded 2-core machine answers slowly): a try that is not
    # delayed is told apart from one that is by comparing it with the delayed sixth.
    free = [attempt(attacker, f"wrong-{i}") for i in range(5)]
    assert all(code == 400 for code, _ in free), free
    sixth = {}
    thread = threading.Thread(target=lambda: sixth.update(r=attempt(attacker, "wrong-5")))
    thread.start()
    time.sleep(0.15)  # lets the sixth arrive first; nothing on the server can be waited on
    code, _ = attempt(user, "alice-pw")  # another client, meanwhile: at once
    assert code == 200
    assert thread.is_alive(), "the other client's login waited for the attacker's delay"
    thread.join()
    assert sixth["r"][0] == 400 and sixth["r"][1] >= 0.9, sixth
    assert max(t for _, t in free) < sixth["r"][1], (free, sixth)  # the first five: no delay
    # Even the right password waits its turn from the guessing client.
    code, took = attempt(attacker, "alice-pw")
    assert took >= 1.8


def test_auth_on_the_command_line_warns(capsys, monkeypatch):
    import importlib
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    app = importlib.import_module("app")
    monkeypatch.delenv("STUDIO_AUTH", raising=False)
    argv = ["--auth", "me:pw"]
    assert app.login(app.parse_args(argv), argv) is not None
    assert "every user of this machine can read it" in capsys.readouterr().err
    monkeypatch.setenv("STUDIO_AUTH", "me:pw")
    assert app.login(app.parse_args([]), []) is not None
    assert capsys.readouterr().err == ""


def test_training_child_environment_holds_no_secret(with_logins):
    alice = client(with_logins, auth=("alice", "alice-pw"))
    bob = client(with_logins, auth=("bob", "bob-pw"))
    run_id, message = start_training(alice, train__epochs=3)
    assert "submitted" in message, message

    def child_env():
        run = registry_run(with_logins, run_id)
        if run and run.pid:
            try:
                raw = Path(f"/proc/{run.pid}/environ").read_bytes()
            except OSError:
                return None
            return dict(item.split("=", 1) for item in raw.decode(errors="replace")
                        .split("\0") if "=" in item)
        return None
    env = wait_for(child_env, timeout=60, every=0.1)
    assert env.get("STUDIO_HOSTED") == "1"  # the right process, under the hosted policy
    for secret in ("STUDIO_AUTH", "HF_TOKEN", "MY_API_KEY", "DATABASE_URL", "OPENAI_KEY"):
        assert secret not in env, secret
    assert not any(v in ("carol:carol-pw", "hf_server_secret", "server-key", "sk-server")
                   or "dbpass-xyz" in v for v in env.values())
    # Logins are owners too: bob neither sees nor stops alice's run.
    assert run_id not in run_ids(bob.predict([], api_name="/list_runs")[0])
    assert bob.predict(run_id, api_name="/stop") == "ℹ This run is not running."
    assert run_id in run_ids(alice.predict([], api_name="/list_runs")[0])
    for _ in range(2):  # alice stops (asks, then kills) her own run
        alice.predict(run_id, api_name="/stop")
    wait_for(lambda: registry_run(with_logins, run_id).status in ("stopped", "done"),
             timeout=60)


# ---- 6. labels and the Try view ----------------------------------------------------------------

@pytest.mark.heavy
def test_5000_label_column_is_refused_before_training(tmp_path, monkeypatch):
    """Engine checked, called in-process as the Start button's handler."""
    import pandas as pd
    from components import data_step, train_step
    from studio.launcher import JobQueue
    from studio.runs import Registry
    monkeypatch.setenv("STUDIO_HOSTED", "1")
    path = tmp_path / "labels.csv"
    pd.DataFrame({"text": [f"row number {i} says something" for i in range(5000)],
                  "label": [f"L{i}" for i in range(5000)]}).to_csv(path, index=False)
    state = data_step.inspect_data(str(path), "", "classification",
                                   {"label": "label", "text": "text"}, "en")["state"]
    registry = Registry(tmp_path / "ws")
    out = train_step.start_run(JobQueue(registry), state, {"name": "tiny-bert"}, "en", [], [],
                               owner="anon:test")
    assert "has 5,000 different values" in out["message"] and "run_id" not in out
    assert registry.list() == []  # no run, no process


@pytest.mark.heavy
def test_300_class_try_view_is_bounded(tmp_path):
    """A real 300-class tiny run; its Try view draws a bounded matrix in bounded memory."""
    import tracemalloc
    import pandas as pd
    from helpers import make_job, train_in_process
    from components import try_step
    rows = [{"text": f"item {i} of class {c} word{c}", "label": f"class-{c}"}
            for c in range(300) for i in range(3)]
    path = tmp_path / "many.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    cfg = make_job(path, "tiny-bert", task="classification", data__max_labels=400,
                   train__epochs=1, train__batch_size=64, train__eval_before=False)
    code, run_dir, registry = train_in_process(cfg, tmp_path / "ws")
    assert code == 0
    run_id = run_dir.name
    tracemalloc.start()
    out = try_step.open_run(registry, run_id, "en")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    image = out["confusion"]
    assert image is not None and image.width * image.height < 2_000_000, image.size
    assert peak < 64 * 2**20, peak
    assert len(out["errors"]) <= 200
    after = registry.folder(registry.get(run_id)).metrics().get("after") or {}
    assert len(after.get("confusion_labels") or []) <= 31
    assert try_step.TOP_CLASSES == 10  # the Label shows the top classes, not 300 bars


@pytest.mark.heavy
def test_hosted_page_has_no_remote_code_field_and_local_page_warns(tmp_path):
    from components.ui import build_ui
    from studio.inference import ModelCache
    from studio.launcher import JobQueue
    from studio.runs import Registry
    registry = Registry(tmp_path)
    ids = {}
    for hosted_mode in (False, True):
        demo = build_ui(registry, JobQueue(registry), ModelCache(1), hosted=hosted_mode)
        ids[hosted_mode] = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert {"f-model-trust-remote-code", "remote-code-warning"} <= ids[False]
    assert not {"f-model-trust-remote-code", "remote-code-warning"} & ids[True]
    from components.strings_en import EN
    assert "runs the Python files that come with the model" in EN["remote_code_warning"]


def test_time_limit_retention_and_disk_share_are_kept(tmp_path):
    """The hosted limits the web layer keeps with engine calls (components/limits.py)."""
    import time as clock
    from components.limits import Janitor, disk_refusal
    from studio.config import JobConfig
    from studio.hosting import Policy
    from studio.runs import Registry
    registry = Registry(tmp_path)
    cfg = JobConfig()
    cfg.model.name = "tiny-bert"
    old = clock.time() - 8 * 86400
    anon_old = registry.new_run(cfg, owner="anon:a", status="done")
    user_old = registry.new_run(cfg, owner="user:alice", status="done")
    anon_new = registry.new_run(cfg, owner="anon:b", status="done")
    long_run = registry.new_run(cfg, owner="anon:c", status="running")
    for run in (anon_old, user_old):
        registry.update(run.id, created=old)
    registry.update(long_run.id, started=clock.time() - 31 * 60, pid=os.getpid())

    class Queue:
        stopped = []

        def stop(self, run_id):
            self.stopped.append(run_id)

    class Cache:
        def drop(self, run_id):
            pass
    queue = Queue()
    janitor = Janitor(registry, queue, Cache(), Policy.hosted_defaults())
    done = janitor.sweep()
    assert done["deleted"] == [anon_old.id] and registry.get(anon_old.id) is None
    assert registry.get(user_old.id) and registry.get(anon_new.id)  # logins and new runs stay
    assert queue.stopped == [long_run.id]
    janitor.sweep()
    assert queue.stopped == [long_run.id]  # asked once; killed only after KILL_AFTER_SECONDS
    # Disk: a full share refuses the next job with a sentence; local mode never does.
    (registry.folder(anon_new).path / "weights.bin").write_bytes(b"\0" * 2**20)
    tight = Policy.hosted_defaults(max_disk_mb_per_owner=1)
    assert "delete old runs in step 5 first" in disk_refusal(registry, "anon:b", tight, "en")
    assert disk_refusal(registry, "anon:zzz", tight, "en") == ""
    assert disk_refusal(registry, None, tight, "en") == ""
