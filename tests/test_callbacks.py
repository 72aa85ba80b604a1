"""studio.callbacks: Trainer logs become events (with speed and ETA); stop requests end
training at a step boundary."""
import os
import signal

import pytest
from transformers import TrainerControl, TrainerState

from studio import callbacks
from studio.callbacks import EventCallback, StopCallback, StopFlag
from studio.config import JobConfig
from studio.events import EventWriter, read_all


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(callbacks, "time", c)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    return c


def state(step=0, epoch=0.0, tokens=0):
    s = TrainerState()
    s.global_step, s.epoch, s.num_input_tokens_seen = step, epoch, tokens
    return s


def make_callback(tmp_path, total=10, batch_size=4, grad_accum=2):
    cfg = JobConfig()
    cfg.train.batch_size, cfg.train.grad_accum = batch_size, grad_accum
    path = tmp_path / "events.jsonl"
    return EventCallback(EventWriter(path), cfg, total), path


def test_log_events_carry_samples_per_second_tokens_and_eta(tmp_path, clock):
    cb, path = make_callback(tmp_path)
    args, control = None, TrainerControl()
    cb.started()
    cb.on_train_begin(args, state(0), control)
    clock.now += 4.0
    cb.on_log(args, state(2, 0.25, 800), control, logs={"loss": 0.7, "learning_rate": 1e-3,
                                                       "grad_norm": 1.5})
    clock.now += 2.0
    cb.on_log(args, state(4, 0.5, 1000), control, logs={"loss": 0.5})
    first, second = read_all(path)
    # 2 steps x (4 x 2 samples) in 4 s; 800 tokens in 4 s; no ETA from one log event: the
    # time before the first logged step is warm-up, not pace (studio.pace)
    assert first["type"] == "log" and first["step"] == 2 and first["epoch"] == 0.25
    assert first["samples_per_second"] == 4.0 and first["tokens_per_second"] == 200.0
    assert first["elapsed"] == 4.0 and first["eta"] is None and first["total_steps"] == 10
    assert (first["loss"], first["learning_rate"], first["grad_norm"]) == (0.7, 1e-3, 1.5)
    # the next log measures the interval since the previous one
    assert second["samples_per_second"] == 8.0 and second["tokens_per_second"] == 100.0
    # 2 steps in the 2 s since the first log: 1 s a step, 6 steps left
    assert second["elapsed"] == 6.0 and second["eta"] == 6.0
    assert cb.last_loss == 0.5
    clock.now += 1.0
    cb.on_train_end(args, state(4), control)
    assert cb.train_time() == 7.0
    assert cb.samples_per_second() == round(4 * 8 / 7.0, 3)


def test_logs_without_loss_write_nothing(tmp_path, clock):
    cb, path = make_callback(tmp_path)
    cb.on_train_begin(None, state(0), TrainerControl())
    cb.on_log(None, state(1), TrainerControl(), logs={"train_runtime": 3.0})
    cb.on_log(None, state(1), TrainerControl(), logs=None)
    assert read_all(path) == []


def test_a_resumed_run_counts_speed_and_eta_from_where_it_resumed(tmp_path, clock):
    cb, path = make_callback(tmp_path, total=10, batch_size=2, grad_accum=1)
    cb.started()
    cb.on_train_begin(None, state(6), TrainerControl())
    clock.now += 2.0
    cb.on_log(None, state(8), TrainerControl(), logs={"loss": 1.0})
    clock.now += 1.0
    cb.on_log(None, state(9), TrainerControl(), logs={"loss": 0.9})
    event, second = read_all(path)
    assert event["samples_per_second"] == 2.0  # 2 steps x 2 samples in 2 s
    assert event["eta"] is None and second["eta"] == 1.0  # 1 step in 1 s, 1 to go
    assert cb.samples_per_second() == round(3 * 2 / 3.0, 3)


def test_eval_events_only_while_training_with_clean_metric_names(tmp_path, clock):
    cb, path = make_callback(tmp_path)
    metrics = {"eval_loss": 0.4, "eval_accuracy": 0.9, "eval_runtime": 1.0,
               "eval_samples_per_second": 50.0, "epoch": 1.0, "eval_note": "text"}
    cb.on_evaluate(None, state(0), TrainerControl(), metrics=metrics)  # before training
    cb.on_train_begin(None, state(0), TrainerControl())
    cb.on_evaluate(None, state(5, 1.0), TrainerControl(), metrics=metrics)
    cb.on_train_end(None, state(5), TrainerControl())
    cb.on_evaluate(None, state(5), TrainerControl(), metrics=metrics)  # after training
    (event,) = read_all(path)
    assert event["type"] == "eval" and event["phase"] == "during" and event["step"] == 5
    assert event["metrics"] == {"eval_loss": 0.4, "accuracy": 0.9}


def test_checkpoint_event_names_the_folder(tmp_path, clock):
    from types import SimpleNamespace
    cb, path = make_callback(tmp_path)
    cb.on_save(SimpleNamespace(output_dir="/run/checkpoints"), state(20), TrainerControl())
    (event,) = read_all(path)
    assert event["type"] == "checkpoint" and event["step"] == 20
    assert event["path"] == "/run/checkpoints/checkpoint-20"


def test_stop_callback_ends_training_without_a_checkpoint(tmp_path):
    flag = StopFlag(tmp_path / "STOP")
    cb = StopCallback(flag)
    control = cb.on_step_end(None, state(1), TrainerControl())
    assert not control.should_training_stop
    (tmp_path / "STOP").write_text("stop")
    control = TrainerControl(should_save=True)
    cb.on_step_end(None, state(2), control)
    assert control.should_training_stop and not control.should_save


def test_stop_flag_honours_the_marker_file(tmp_path):
    flag = StopFlag(tmp_path / "STOP")
    assert not flag.requested
    (tmp_path / "STOP").write_text("stop requested\n")
    assert flag.requested
    (tmp_path / "STOP").unlink()
    assert not flag.requested


def test_first_signal_asks_second_signal_stops_at_once(tmp_path):
    flag = StopFlag(tmp_path / "STOP")
    before = signal.getsignal(signal.SIGTERM)
    previous = flag.install()
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        assert flag.requested and flag.signalled
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        StopFlag.uninstall(previous)
    assert signal.getsignal(signal.SIGTERM) is before


def test_install_outside_the_main_thread_keeps_the_marker(tmp_path):
    import threading
    flag = StopFlag(tmp_path / "STOP")
    out = {}
    t = threading.Thread(target=lambda: out.update(previous=flag.install()))
    t.start()
    t.join()
    assert out["previous"] == {}
    (tmp_path / "STOP").write_text("x")
    assert flag.requested


def _agree(rank, init_file, flags, out):
    import torch.distributed as dist
    from studio.callbacks import agreed
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=2)
    out[rank] = agreed(flags[rank])
    dist.destroy_process_group()


@pytest.mark.heavy
def test_a_stop_seen_by_one_process_stops_every_process(tmp_path):
    import torch.multiprocessing as mp
    from studio.callbacks import agreed
    assert agreed(True) is True and agreed(False) is False  # one process: the flag itself
    for flags, expected in (([True, False], True), ([False, False], False)):
        with mp.Manager() as manager:
            out = manager.dict()
            mp.spawn(_agree, args=(str(tmp_path / f"init{flags}"), flags, out), nprocs=2)
            assert dict(out) == {0: expected, 1: expected}
