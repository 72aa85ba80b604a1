"""Hosted mode: what a stranger may ask for, refused in the engine itself."""
from __future__ import annotations

import contextlib
import subprocess

import pytest

from studio import hosting, models
from studio.config import JobConfig
from studio.errors import ConfigError, ModelError


@pytest.mark.parametrize("host,share,flag,env,hosted", [
    ("127.0.0.1", False, False, {}, False),
    ("localhost", False, False, {}, False),
    ("0.0.0.0", False, False, {}, True),
    ("127.0.0.1", True, False, {}, True),
    ("127.0.0.1", False, True, {}, True),
    ("127.0.0.1", False, False, {"SPACE_ID": "me/studio"}, True),
])
def test_mode_is_hosted_beyond_localhost_on_spaces_and_when_shared(host, share, flag, env,
                                                                    hosted):
    assert hosting.detect_hosted(host, share, flag, environ=env) is hosted


def test_hosted_model_box_takes_presets_and_hub_ids_only(tmp_path, monkeypatch):
    policy = hosting.Policy.hosted_defaults()
    hosting.check_model_name("tiny-bert", policy, models.PRESETS)
    hosting.check_model_name("owner/name", policy, models.PRESETS)
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    messages = []
    for name in (str(folder), str(tmp_path / "missing"), "../../etc", "a/../b", "/etc/passwd"):
        with pytest.raises(ModelError) as e:
            hosting.check_model_name(name, policy, models.PRESETS)
        assert e.value.code == "hosted_model_name"
        messages.append(str(e.value))
    # An existing folder and a missing one get the very same answer: the disk is not revealed.
    assert len(set(messages)) == 1 and str(tmp_path) not in messages[0]


def test_hosted_process_never_loads_a_local_folder_named_like_a_hub_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil" / "model").mkdir(parents=True)
    (tmp_path / "evil" / "model" / "config.json").write_text('{"model_type": "bert"}')
    monkeypatch.setenv(hosting.HOSTED_ENV, "1")
    # Offline here: a folder and a real Hub id get the same answer (no folder oracle), and
    # neither is loaded.
    for name in ("evil/model", "owner/name"):
        with pytest.raises(ModelError) as e:
            models.resolve_location(name)
        assert e.value.code == "offline_model"
    # A Hub repo of that name (here: in the cache): the folder is still never loaded.
    monkeypatch.setattr(models, "hub_cached", lambda name: True)
    with pytest.raises(ModelError) as e:
        models.resolve_location("evil/model")
    assert e.value.code == "hosted_model_name"
    assert models.resolve_location("owner/name") == ("owner/name", None)
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)
    location, _ = models.resolve_location("evil/model")
    assert location == "evil/model"  # local mode trusts its user's folders


def test_hosted_job_refuses_remote_code_and_caps_rows(monkeypatch):
    cfg = JobConfig()
    cfg.model.name = "tiny-bert"
    cfg.model.trust_remote_code = True
    with pytest.raises(ConfigError) as e:
        hosting.check_job(cfg, hosting.Policy.hosted_defaults(), models.PRESETS)
    assert e.value.code == "hosted_remote_code"
    cfg.model.trust_remote_code = False
    hosting.check_job(cfg, hosting.Policy.hosted_defaults(max_rows=500), models.PRESETS)
    assert cfg.data.max_rows == 500
    local = JobConfig()
    local.model.trust_remote_code = True
    hosting.check_job(local, hosting.Policy.local(), models.PRESETS)  # local: the user decides
    monkeypatch.setenv(hosting.HOSTED_ENV, "1")
    with pytest.raises(ModelError) as e:
        models.resolve_location("owner/name", trust_remote_code=True)
    assert e.value.code == "hosted_remote_code_model" and "owner/name" in str(e.value)


def test_training_child_environment_holds_no_secrets():
    env = {"PATH": "/bin", "HOME": "/root", "STUDIO_AUTH": "a:b", "HF_TOKEN": "hf_x",
           "OPENAI_API_KEY": "k", "AWS_SECRET_ACCESS_KEY": "s", "DB_PASSWORD": "p"}
    assert hosting.child_environment(env, keep_hub_token=False) == {"PATH": "/bin",
                                                                     "HOME": "/root"}
    kept = hosting.child_environment(env, keep_hub_token=True)
    assert kept["HF_TOKEN"] == "hf_x" and "STUDIO_AUTH" not in kept


def test_only_hub_models_may_need_the_hub_token():
    assert not models.needs_hub_token("tiny-bert")
    assert models.needs_hub_token("bert-base-uncased")   # a Hub preset
    assert models.needs_hub_token("owner/name")
    assert not models.needs_hub_token("/some/folder")


def test_one_owner_cannot_see_stop_or_delete_anothers_run(workspace, data_dir):
    from studio.runs import Registry
    registry = Registry(workspace)
    cfg = JobConfig()
    cfg.data.train_file, cfg.model.name = str(data_dir / "sentiment.csv"), "tiny-bert"
    a = registry.new_run(cfg, owner="anon:A")
    with held_queue(registry) as queue:  # A's job waits behind a live run; no child starts
        check_owners_apart(registry, queue, a)


def check_owners_apart(registry, queue, a):
    from studio.errors import RunError
    assert queue.position(a.id) == 1
    assert registry.get(a.id, "anon:A").id == a.id
    assert registry.get(a.id, "anon:B") is None
    assert [r.id for r in registry.list(owner="anon:B")] == []
    assert [r.id for r in registry.list(owner="anon:A")] == [a.id]
    assert registry.find(a.id[:12], owner="anon:B") is None
    assert queue.stop(a.id, owner="anon:B").outcome == "not_running"
    assert registry.get(a.id).status == "queued" and queue.position(a.id) == 1
    with pytest.raises(RunError) as e:
        registry.delete(a.id, owner="anon:B")
    assert e.value.code == "no_run"
    assert registry.folder(a).job_file.exists()
    registry.delete(a.id, owner="anon:A")
    assert registry.get(a.id) is None and not registry.folder(a).path.exists()


def test_run_ids_are_not_guessable():
    from studio.runs import new_run_id
    ids = {new_run_id("same") for _ in range(200)}
    assert len(ids) == 200 and all(len(i.rsplit("-", 1)[-1]) == 12 for i in ids)


def test_owner_job_limit(workspace, data_dir, monkeypatch):
    from studio.errors import RunError
    from studio.runs import Registry
    monkeypatch.setenv(hosting.HOSTED_ENV, "1")
    registry = Registry(workspace)
    cfg = JobConfig()
    cfg.data.train_file, cfg.model.name = str(data_dir / "sentiment.csv"), "tiny-bert"
    registry.new_run(cfg, owner="anon:A")          # already one queued for A
    # No places per address here (no rules given): the owner's limit alone.
    with held_queue(registry) as queue:
        with pytest.raises(RunError) as e:
            queue.submit(cfg.copy(), owner="anon:A")
        assert e.value.code == "owner_job_limit"
        run = queue.submit(cfg.copy(), owner="anon:B")  # B is not held back by A's job
        assert registry.get(run.id).owner == "anon:B"
        assert queue.position(run.id) == 2  # in line behind A's job


@contextlib.contextmanager
def held_queue(registry):
    """A real JobQueue whose one place is taken by a live run it did not start (a sleeping
    process), so the jobs it is given wait in line and no training child starts; closed
    before that process ends, so nothing starts afterwards either."""
    from studio.launcher import JobQueue
    busy = subprocess.Popen(["sleep", "120"])
    live = registry.new_run(JobConfig(task="classification", name="live"), owner="anon:Z")
    registry.update(live.id, status="running", pid=busy.pid)
    queue = JobQueue(registry, max_parallel=1)
    try:
        yield queue
    finally:
        queue.close()
        busy.kill()
        busy.wait()


def test_label_column_that_is_really_text_is_refused_before_training(tmp_path):
    import pandas as pd

    from studio import jobs
    from studio.errors import DataError
    path = tmp_path / "many.csv"
    pd.DataFrame({"text": [f"row {i}" for i in range(600)],
                  "label": [f"label {i}" for i in range(600)]}).to_csv(path, index=False)
    cfg = JobConfig(task="classification")
    cfg.data.train_file, cfg.model.name = str(path), "tiny-bert"
    cfg.data.text_column, cfg.data.label_column = "text", "label"
    with pytest.raises(DataError) as e:
        jobs.preview(cfg)
    assert e.value.code == "too_many_labels" and "looks like text" in str(e.value)
    cfg.data.max_labels = 1000                     # a real many-class task can raise the cap
    assert jobs.preview(cfg).cfg.data.max_labels == 1000
