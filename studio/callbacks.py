"""Trainer callbacks: turn Trainer's logs into studio events, and honour stop requests."""
from __future__ import annotations

import signal
import time
from pathlib import Path

from transformers import TrainerCallback

from .distributed import world_size
from .pace import eta_seconds, steps_per_second


SKIP_METRICS = {"epoch", "num_input_tokens_seen", "eval_model_preparation_time"}


class EventCallback(TrainerCallback):
    """Writes log / eval / checkpoint events with throughput and ETA."""

    def __init__(self, writer, cfg, total_steps: int):
        self.writer, self.cfg, self.total = writer, cfg, total_steps
        self.t_start = None
        self.t_end = None
        self.first_step = 0
        self.last_loss = None
        self.first_log = None  # {step, elapsed} of the first log event: the ETA's pace starts there
        self.training = False
        self.last = (0, 0.0, 0)  # (step, time, tokens) at the previous log

    def started(self) -> None:
        self.t_start = time.time()
        self.last = (0, self.t_start, 0)

    def on_train_begin(self, args, state, control, **kw):
        self.t_start = self.t_start or time.time()
        self.training = True
        self.first_step = state.global_step  # > 0 when resuming
        self.last = (state.global_step, time.time(), state.num_input_tokens_seen or 0)

    def train_time(self) -> float:
        return ((self.t_end or time.time()) - self.t_start) if self.t_start else 0.0

    def samples_per_second(self) -> float | None:
        """The whole training's average, warm-up included: metrics.json records it and the
        next run's estimate before Start reads it (studio.eval_budget). studio.pace's one
        speed, from the start of training to the last logged step."""
        rate = steps_per_second({"step": self.first_step, "elapsed": 0.0},
                                {"step": self.last[0], "elapsed": self.train_time()})
        return round(rate * self._samples_per_step(), 3) if rate else None

    def _samples_per_step(self) -> int:
        t = self.cfg.train
        return t.batch_size * t.grad_accum * world_size()

    def on_log(self, args, state, control, logs=None, **kw):
        logs = logs or {}
        if "loss" not in logs:
            return  # eval logs arrive through on_evaluate; the train summary at the end too
        now, step = time.time(), state.global_step
        tokens = state.num_input_tokens_seen or 0
        p_step, p_time, p_tokens = self.last
        dt = max(now - p_time, 1e-9)
        sps = (step - p_step) * self._samples_per_step() / dt if step > p_step else None
        tps = (tokens - p_tokens) / dt if tokens > p_tokens else None
        elapsed = now - (self.t_start or now)
        here = {"step": step, "elapsed": elapsed}
        self.first_log = self.first_log or here
        eta = eta_seconds(self.first_log, here, self.total)  # the one ETA formula (studio.pace)
        self.last = (step, now, tokens)
        self.last_loss = logs["loss"]
        self.writer.emit("log", step=step, epoch=round(state.epoch or 0.0, 4),
                         loss=logs["loss"], learning_rate=logs.get("learning_rate"),
                         grad_norm=logs.get("grad_norm"),
                         samples_per_second=round(sps, 3) if sps else None,
                         tokens_per_second=round(tps, 1) if tps else None,
                         elapsed=round(elapsed, 2), eta=round(eta, 1) if eta is not None else None,
                         total_steps=self.total)

    def on_evaluate(self, args, state, control, metrics=None, **kw):
        if not self.training or not state.is_world_process_zero:
            return  # before/after evaluations are reported by the training loop itself
        m = {k.removeprefix("eval_") if k != "eval_loss" else k: v
             for k, v in (metrics or {}).items()
             if isinstance(v, (int, float)) and k not in SKIP_METRICS
             and not k.endswith(("_runtime", "_per_second"))}
        self.writer.emit("eval", phase="during", step=state.global_step,
                         epoch=round(state.epoch or 0.0, 4), metrics=m)

    def on_save(self, args, state, control, **kw):
        self.writer.emit("checkpoint", step=state.global_step,
                         path=f"{args.output_dir}/checkpoint-{state.global_step}")

    def on_train_end(self, args, state, control, **kw):
        self.t_end = time.time()
        self.training = False


class StopCallback(TrainerCallback):
    """Ends training at the next step boundary when a stop was requested."""

    def __init__(self, stop):
        self.stop = stop

    def on_step_end(self, args, state, control, **kw):
        if agreed(self.stop.requested):
            control.should_training_stop = True
            control.should_save = False
        return control


def agreed(flag: bool) -> bool:
    """`flag` of any process, in every process: with several processes each reads the stop
    marker on its own and might see it a step apart; one stopping while the others wait for
    it in the next gradient sync would hang the run."""
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return flag
    import torch
    value = torch.tensor([1 if flag else 0], dtype=torch.int32)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


class StopFlag:
    """Set by the run folder's stop marker or by SIGTERM/SIGINT; a second signal kills."""

    def __init__(self, stop_file: Path):
        self.file = Path(stop_file)
        self.signalled = False

    def install(self) -> dict:
        def handler(signum, frame):
            if self.signalled:
                raise KeyboardInterrupt  # second request: stop right now
            self.signalled = True
        previous = {}
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous[sig] = signal.signal(sig, handler)
            except ValueError:  # not the main thread (tests); the stop marker still works
                pass
        return previous

    @staticmethod
    def uninstall(previous: dict) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    @property
    def requested(self) -> bool:
        return self.signalled or self.file.exists()
