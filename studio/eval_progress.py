"""Progress of the evaluation passes: `eval_progress` events while the base model, the checkpoints
during training and the final model are evaluated.

A run on a busy CPU sat 16 minutes on "evaluating the base model" with nothing moving:
the loss pass over the validation rows and the generation of samples report nothing through the
Trainer's logs. This callback counts the loss pass's batches (`on_prediction_step`, which the
Trainer calls for every evaluation batch, `predict` included) and, while a phase is open, the
rows each `model.generate` call generates, and writes

  eval_progress  phase ("before" | "during" | "after"), part ("loss" | "generate"), done,
                 total (rows), eta_s (seconds left in this part, None until a batch is done)

at most every EMIT_EVERY seconds, plus the first and the last of each part, so the page can show
"Evaluating the base model: 12 / 72 rows, about 40 s left".
"""
from __future__ import annotations

import math
import time
from contextlib import contextmanager

from transformers import TrainerCallback

EMIT_EVERY = 2.0  # seconds; an event per batch would flood the log of a fast GPU run


class EvalProgress(TrainerCallback):
    def __init__(self, writer, eval_rows: int, eval_batch_size: int):
        self.writer, self.rows, self.batch = writer, eval_rows, max(1, eval_batch_size)
        self.phase_name: str | None = None
        self.training = False
        self._part = None  # (phase, part, total, started, done, last emit)

    # ---- the loss pass: one call per evaluation batch -------------------------------------
    def on_train_begin(self, args, state, control, **kw):
        self.training = True

    def on_train_end(self, args, state, control, **kw):
        self.training = False

    def on_prediction_step(self, args, state, control, **kw):
        phase = self.phase_name or ("during" if self.training else None)
        if phase is None or not self.rows:
            return
        part = self._part
        if part is None or part[0] != phase or part[1] != "loss" or part[4] >= part[2]:
            self._begin(phase, "loss", self.rows)
        self._advance(self.batch)

    def on_evaluate(self, args, state, control, **kw):
        self._part = None  # the next evaluation (during training) starts its own count

    # ---- a phase around one evaluation, generation included -------------------------------
    @contextmanager
    def phase(self, name: str, model=None, generated: int = 0):
        """Report evaluation `name`; `model.generate` calls inside it count `generated` rows
        (the samples the task's generate_eval will produce)."""
        self.phase_name, self._part = name, None
        restore = self._count_generation(model, name, generated) if model is not None \
            and generated > 0 else None
        try:
            yield self
        finally:
            if restore:
                restore()
            self.phase_name, self._part = None, None

    def _count_generation(self, model, phase: str, total: int):
        """Wrap this model instance's `generate` (not its class) for the phase: the tasks'
        generate loops stay as they are and the wrapper goes when the phase ends."""
        had_own = "generate" in vars(model)
        original = model.generate

        def generate(*args, **kwargs):
            if self._part is None or self._part[1] != "generate":
                self._begin(phase, "generate", total)
            ids = kwargs.get("input_ids", args[0] if args else None)
            rows = int(ids.shape[0]) if hasattr(ids, "shape") else 1
            # Eight samples are one batch: without counting its tokens the line would say
            # "0 / 8, estimating" for the whole pass. Beam search refuses a streamer.
            if kwargs.get("max_new_tokens") and "streamer" not in kwargs and \
                    (kwargs.get("num_beams") or 1) == 1:
                kwargs["streamer"] = TokenCounter(self, rows, kwargs["max_new_tokens"])
            out = original(*args, **kwargs)
            self._advance(rows)
            return out

        object.__setattr__(model, "generate", generate)

        def restore():
            if had_own:
                object.__setattr__(model, "generate", original)
            else:
                vars(model).pop("generate", None)
        return restore

    # ---- counting and writing -------------------------------------------------------------
    def _begin(self, phase: str, part: str, total: int) -> None:
        now = time.time()
        self._part = [phase, part, total, now, 0, now]
        self._emit(None)

    def _advance(self, rows: int) -> None:
        p = self._part
        p[4] = min(p[2], p[4] + rows)
        now = time.time()
        if p[4] >= p[2] or now - p[5] >= EMIT_EVERY:
            p[5] = now
            elapsed = now - p[3]
            self._emit(elapsed / p[4] * (p[2] - p[4]) if p[4] else None)

    def _within_batch(self, rows: int, share: float) -> None:
        """A batch of `rows` is `share` done: a time-left estimate before it ends (the count
        itself moves when the batch ends)."""
        p = self._part
        now = time.time()
        if p is None or now - p[5] < EMIT_EVERY or share <= 0:
            return
        p[5] = now
        done = p[4] + rows * min(1.0, share)
        self._emit((now - p[3]) / done * (p[2] - done))

    def _emit(self, eta) -> None:
        phase, part, total, _started, done, _last = self._part
        self.writer.emit("eval_progress", phase=phase, part=part, done=done, total=total,
                         eta_s=None if eta is None or not math.isfinite(eta) else round(eta, 1))


class TokenCounter:
    """A generation streamer (transformers' put/end protocol) that counts decoding steps:
    generate() puts the prompt first, then each step's new tokens."""

    def __init__(self, progress: EvalProgress, rows: int, max_new_tokens: int):
        self.progress, self.rows, self.limit = progress, rows, max(1, max_new_tokens)
        self.steps = -1  # the first put is the prompt

    def put(self, value) -> None:
        self.steps += 1
        if self.steps > 0:
            self.progress._within_batch(self.rows, self.steps / self.limit)

    def end(self) -> None:
        pass


def attach(trainer, writer, val_ds) -> EvalProgress:
    """An EvalProgress on `trainer` for its validation set (a no-op without one)."""
    progress = EvalProgress(writer, len(val_ds) if val_ds is not None else 0,
                            trainer.args.per_device_eval_batch_size)
    trainer.add_callback(progress)
    return progress


def generated_rows(plan) -> int:
    """How many samples the task's generate_eval will produce (0 for classification)."""
    if plan.cfg.task == "classification":
        return 0
    return min(plan.cfg.train.generation_samples or 0, len(plan.data.validation))
