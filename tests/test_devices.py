"""train.devices: N > 1 runs the job under torchrun (CLI and the page's queue), the effective
batch is shown, a wrong count is refused or warned about, and a CUDA machine trains in bf16
(fp16 + a scaler where bf16 is missing)."""
from types import SimpleNamespace

import pytest

from helpers import events_of, losses, make_job, wait_for
from studio import distributed
from studio.config import JobConfig
from studio.errors import ConfigError
from studio.launcher import JobQueue
from studio.runs import Registry


def test_devices_defaults_to_one_and_zero_is_refused():
    assert JobConfig().train.devices == 1
    with pytest.raises(ConfigError) as err:
        JobConfig().override(["train.devices=0"])
    assert err.value.code == "too_small" and "at least 1" in str(err.value)
    assert JobConfig().override(["train.devices=2"]).train.devices == 2


def test_the_cli_refuses_zero_devices_in_one_sentence(capsys, tmp_path, data_dir):
    from studio.cli import main
    code = main(["train", "--data", str(data_dir / "sentiment.csv"), "--model", "tiny-bert",
                 "--workspace", str(tmp_path), "train.devices=0"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.count("\n") == 0
    assert "train.devices is 0; it must be at least 1" in err
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").iterdir())


def test_more_devices_than_cores_is_warned(monkeypatch):
    monkeypatch.setattr(distributed.os, "cpu_count", lambda: 2)
    assert distributed.device_notes(2) == []
    [note] = distributed.device_notes(3)
    assert note["code"] == "devices_over_cores" and (note["devices"], note["have"]) == (3, 2)
    assert "3 but this machine has 2 CPU cores" in note["text"] and "at most 2" in note["text"]


def test_the_train_step_shows_the_effective_batch_and_the_warning(monkeypatch):
    from components.train_step import device_lines
    monkeypatch.setattr(distributed.os, "cpu_count", lambda: 2)
    cfg = JobConfig().override(["train.batch_size=8", "train.grad_accum=2",
                                "train.devices=4"])
    p = SimpleNamespace(cfg=cfg, effective_batch=64)
    en = device_lines(p, "en")
    assert "**64 rows per step**: batch 8 x accumulation 2 x 4 device(s)." == en[0]
    assert "4 but this machine has 2 CPU cores" in en[1]
    zh = device_lines(p, "zh-CN")
    assert "64 行" in zh[0] and "2 个 CPU 核心" in zh[1]
    one = SimpleNamespace(cfg=JobConfig(), effective_batch=JobConfig().train.batch_size)
    assert device_lines(one, "en") == []  # nothing to say for one device, no accumulation


def test_preview_counts_steps_over_all_devices(data_dir):
    from studio.jobs import preview
    one = preview(make_job(data_dir / "sentiment.csv", "tiny-bert", train__batch_size=8,
                           train__epochs=1))
    two = preview(make_job(data_dir / "sentiment.csv", "tiny-bert", train__batch_size=8,
                           train__epochs=1, train__devices=2))
    assert one.effective_batch == 8 and two.effective_batch == 16
    assert two.to_dict()["effective_batch"] == 16
    assert two.steps_per_epoch == -(-two.train_rows // 16)
    assert one.steps_per_epoch == -(-one.train_rows // 8)


def _queued(registry, devices: int):
    cfg = JobConfig(task="classification", name=f"d{devices}")
    cfg.data.train_file = "/data/reviews.csv"
    cfg.train.devices = devices
    return registry.new_run(cfg)


def test_the_queue_starts_a_multi_device_job_under_torchrun(tmp_path):
    registry = Registry(tmp_path)
    queue = JobQueue.__new__(JobQueue)  # command() only: no adoption, nothing spawned
    queue.registry, queue.python = registry, "py"
    cmd = queue.command(_queued(registry, 2))
    assert cmd[:6] == ["py", "-m", "torch.distributed.run", "--standalone",
                       "--nproc_per_node", "2"]
    assert cmd[6:9] == ["-m", "studio", "train"] and cmd[9].endswith("job.yaml")
    assert queue.command(_queued(registry, 1))[:4] == ["py", "-m", "studio", "train"]


def test_the_cli_runs_a_multi_device_job_again_under_torchrun(tmp_path, monkeypatch):
    registry = Registry(tmp_path)
    run = _queued(registry, 3)
    calls = []
    monkeypatch.setattr("subprocess.call", lambda argv: calls.append(argv) or 0)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert distributed.relaunch(run.run_dir, tmp_path) == 0
    assert calls[0][1:6] == ["-m", "torch.distributed.run", "--standalone",
                             "--nproc_per_node", "3"]
    assert calls[0][6:10] == ["-m", "studio", "train", str(registry.folder(run).job_file)]
    distributed.relaunch(run.run_dir, tmp_path, resume=True)
    assert calls[1][9:11] == ["--resume", run.id]
    monkeypatch.setenv("WORLD_SIZE", "3")  # already one of torchrun's processes
    assert distributed.relaunch(run.run_dir, tmp_path) is None
    monkeypatch.delenv("WORLD_SIZE")
    assert distributed.relaunch(_queued(registry, 1).run_dir, tmp_path) is None
    assert len(calls) == 2


@pytest.mark.parametrize("bf16, expected", [(True, "bf16"), (False, "fp16")])
def test_auto_precision_on_a_gpu_is_bf16_or_fp16_with_a_scaler(monkeypatch, bf16, expected):
    import torch
    from studio.jobs.numerics import auto_precision
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
    assert auto_precision(64) == expected  # whatever the width: GPUs gain at any size
    # fp16 reaches TrainingArguments(fp16=True): the Trainer then scales the loss (GradScaler)


@pytest.mark.slow  # two processes load torch and train: ~30 s idle, over a minute shared
def test_a_two_device_job_from_the_page_queue_trains_on_two_processes(data_dir, tmp_path):
    """What the page's Start does (JobQueue.submit) with Devices = 2: two gloo processes on
    this CPU, one run, one writer."""
    registry = Registry(tmp_path / "ws")
    # train.packing left on auto: the engine pads instead with several processes (packed
    # batches would bypass DistributedDataParallel's gradient sync).
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__devices=2,
                   train__max_steps=16, train__batch_size=8, train__learning_rate=5e-3,
                   train__eval_before="false", train__eval_strategy="no",
                   train__save_checkpoints="false", train__logging_steps=1)
    queue = JobQueue(registry)
    run = queue.submit(cfg)
    wait_for(lambda: registry.get(run.id).status not in ("queued", "running"), 300, 1,
             "the run to end")
    folder = registry.folder(run)
    assert registry.get(run.id).status == "done", folder.stdout_file.read_text()[-2000:]
    events = events_of(folder.path)
    types = [e["type"] for e in events]
    assert types.count("done") == 1 and types.count("start") == 1  # rank 0 writes alone
    assert len(registry.list()) == 1  # one registry row for both processes
    start = next(e for e in events if e["type"] == "start")
    assert start["world_size"] == 2
    assert start["total_steps"] == 16
    assert folder.config().train.packing is False  # recorded: what ran
    loss = losses(events)
    assert len(loss) >= 8 and sum(loss[-4:]) / 4 < sum(loss[:4]) / 4  # it learned
    assert (folder.path / "train.rank1.log").exists()  # rank 1 logged to its own file
    assert folder.has_model()


def test_a_hosted_studio_refuses_several_devices(tmp_path, monkeypatch):
    from studio import hosting
    from components.i18n import error_text
    monkeypatch.setattr(hosting, "current", lambda: hosting.Policy(hosted=True))
    queue = JobQueue(Registry(tmp_path))
    cfg = JobConfig(task="classification")
    cfg.data.train_file, cfg.model.name, cfg.train.devices = "/data/r.csv", "tiny-bert", 2
    with pytest.raises(ConfigError) as err:
        queue.submit(cfg, owner="alice")
    assert err.value.code == "hosted_devices" and "set train.devices to 1" in str(err.value)
    assert error_text(err.value, "en").endswith("set Devices to 1.")  # the page: its label
    assert "把设备数设为 1" in error_text(err.value, "zh-CN")
    assert queue.registry.list() == []  # nothing queued
