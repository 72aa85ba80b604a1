"""Measurement glue shared by the peer scripts (not part of what a user would write).

Each peer is a script a user would write by hand; this module only adds what the benchmark
reads back: a callback that notes when the first optimizer step and the first logged loss
happened (seconds since the harness launched the process, `BENCH_T0`), and `report()`, which
prints the one JSON line the harness parses (the last stdout line starting with '{').
"""
from __future__ import annotations

import json
import os
import sys
import time

from transformers import TrainerCallback

# The harness sets BENCH_T0 to the wall-clock time just before it starts this process, so
# "time to first loss" includes interpreter start, imports, data loading and model loading.
T0 = float(os.environ.get("BENCH_T0", time.time()))


class FirstLoss(TrainerCallback):
    """Wall-clock moments of the first finished optimizer step and the first logged loss."""

    def __init__(self):
        self.first_step = None
        self.first_loss = None

    def on_step_end(self, args, state, control, **kw):
        if self.first_step is None:
            self.first_step = time.time() - T0

    def on_log(self, args, state, control, logs=None, **kw):
        if self.first_loss is None and logs and "loss" in logs:
            self.first_loss = time.time() - T0


def report(**fields) -> None:
    fields["pid"] = os.getpid()
    fields["wall_inside"] = round(time.time() - T0, 2)
    sys.stdout.flush()
    print(json.dumps(fields, default=float), flush=True)
