"""The advisor during a run: a loss that turns NaN, or stays far above where it started, ends
the run at once with the sentence and the learning rate to try, instead of wasting the rest
of the steps."""
from __future__ import annotations

import math

from transformers import TrainerCallback

from ..errors import RunError
from .curves import DIVERGE_FACTOR, LR_DIVIDE_NAN, lr_finding

# Smith 2017 (the LR range test): a loss that has risen DIVERGE_FACTOR x above the first
# logged one diverges; PATIENCE logs in a row rule out one unlucky batch.
PATIENCE = 3


class DivergenceCheck(TrainerCallback):
    def __init__(self, writer, cfg):
        self.writer, self.lr = writer, cfg.train.learning_rate
        self.first = None
        self.above = self.bad_norms = 0

    def on_log(self, args, state, control, logs=None, **kw):
        logs = logs or {}
        if "loss" not in logs:
            return
        loss, norm = logs["loss"], logs.get("grad_norm")
        # The Trainer hides a NaN step loss in its logged average (logging_nan_inf_filter);
        # the gradient norm still shows it. One infinite norm can be an fp16 overflow step
        # that the loss scaler skips; NaN weights give one at every log: PATIENCE in a row.
        self.bad_norms = self.bad_norms + 1 if norm is not None and not finite(norm) else 0
        if not finite(loss) or self.bad_norms >= PATIENCE:
            self.stop("lr_too_high_nan", step=state.global_step, lr=self.lr)
        if self.first is None:
            self.first = loss
            return
        self.above = self.above + 1 if self.first > 0 and loss > DIVERGE_FACTOR * self.first \
            else 0
        if self.above >= PATIENCE:
            self.stop("lr_too_high_rise", loss=round(loss, 4),
                      step=state.global_step, factor=round(loss / self.first, 1),
                      first_loss=round(self.first, 4), lr=self.lr)

    def stop(self, code: str, **params):
        """Record the finding and end the run as failed with its sentence (no model saved:
        the weights are what diverged)."""
        finding = lr_finding(code, (self.lr or 0) / LR_DIVIDE_NAN, **params)
        self.writer.emit("finding", code=finding.code, text=finding.sentence,
                         params=finding.params, suggestion=finding.suggestion)
        raise RunError(code="diverged_nan" if code.endswith("nan") else "diverged",
                       **finding.params)


def finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)
