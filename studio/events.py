"""The training event log: `runs/<id>/events.jsonl`, one JSON object per line, append-only.

The training process writes; any number of readers (the UI, `runs`, tests) tail the file by
keeping a byte offset, so a reader never re-reads what it has seen and never blocks the writer.
Writing to a file (never a pipe) is what keeps training alive when nobody is watching.

Schema - every event has `type` and `time` (unix seconds); the rest by type:
  start      run_id, config_digest, task, model, family, method, parameters, trainable,
             train_rows, validation_rows, total_steps, epochs, batch_size, labels (classification)
  log        step, epoch, loss, learning_rate, samples_per_second, tokens_per_second,
             elapsed, eta (seconds), grad_norm
  eval       phase ("before" | "during" | "after"), step, epoch, metrics {name: value}
  stage      stage: what the run is busy with between and around the steps, once the data
             is read and the model loaded: tokenizing, evaluating (the base model),
             training, final_eval, saving
  eval_progress  phase ("before" | "during" | "after"), part ("loss" | "generate"), done,
             total (rows), eta_s: an evaluation's count (studio/eval_progress.py)
  checkpoint step, path
  message    level ("info" | "warning"), text, code  (data notes, LoRA targets chosen, ...)
  finding    code, text, params, suggestion {dotted key: value}: what the run's curves show
             (studio.advisor), written just before the final event (or the failed one)
  done       metrics {name: value}, model_path, elapsed
  failed     reason (one sentence), code, log (path of the log file with the traceback)
  stopped    step, model_path (the model trained so far was saved there)
  resume     step (the checkpoint it continues from): a new attempt of a stopped or failed
             run begins (studio.resuming); the final event before it ended only the old attempt
Exactly one of done / failed / stopped ends every attempt.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

FINAL_TYPES = ("done", "failed", "stopped")


def _clean(value):
    """JSON has no NaN/inf; write null so every reader can parse every line."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class EventWriter:
    def __init__(self, path: str | Path, enabled: bool = True):
        self.path = Path(path)
        self.enabled = enabled
        self.finished = False

    def emit(self, type: str, **fields) -> dict:
        event = {"type": type, "time": round(time.time(), 3), **_clean(fields)}
        if not self.enabled:
            return event
        if type in FINAL_TYPES:
            if self.finished:  # exactly one final event, whatever happens afterwards
                return event
            self.finished = True
        line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
        # One write per line with O_APPEND: a concurrent reader sees whole lines only.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
        return event


class EventTail:
    """Reads new events since the last call; keeps the byte offset between calls."""

    def __init__(self, path: str | Path, offset: int = 0):
        self.path = Path(path)
        self.offset = offset

    def read(self) -> list[dict]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except FileNotFoundError:
            return []
        end = chunk.rfind(b"\n")
        if end < 0:  # only a partial line so far; wait for its newline
            return []
        self.offset += end + 1
        events = []
        for raw in chunk[:end].splitlines():
            try:
                event = json.loads(raw)
            except ValueError:
                continue  # a torn line from a killed writer; skip, never crash a reader
            if well_formed(event):  # not an object, or a field of the wrong type: skipped
                events.append(event)
        return events


# The type each known field must have where present (None always allowed): every reader (the
# run list, a registry rebuild, the page) may then use them without checking again.
NUMBER, TEXT = (int, float), (str,)
FIELD_TYPES = {
    "type": TEXT, "time": NUMBER, "run_id": TEXT, "task": TEXT, "model": TEXT, "family": TEXT,
    "method": TEXT, "config_digest": TEXT, "step": NUMBER, "epoch": NUMBER, "loss": NUMBER,
    "learning_rate": NUMBER, "elapsed": NUMBER, "eta": NUMBER, "phase": TEXT, "stage": TEXT,
    "level": TEXT, "text": TEXT, "code": TEXT, "reason": TEXT, "model_path": TEXT,
    "path": TEXT, "log": TEXT, "metrics": (dict,), "params": (dict,), "labels": (list,),
    "total_steps": NUMBER, "epochs": NUMBER, "batch_size": NUMBER, "parameters": NUMBER,
    "trainable": NUMBER, "train_rows": NUMBER, "validation_rows": NUMBER,
}


def well_formed(event) -> bool:
    """An object whose known fields have their types, metrics a {name: number} map; lines
    that are not events at all (predictions, samples: no "type") are only checked as objects."""
    if not isinstance(event, dict):
        return False
    if "type" not in event:
        return True
    for key, types in FIELD_TYPES.items():
        value = event.get(key)
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)
                                  and types is NUMBER):
            return False
    metrics = event.get("metrics") or {}
    return all(isinstance(k, str) and (v is None or isinstance(v, NUMBER))
               for k, v in metrics.items())


def read_all(path: str | Path) -> list[dict]:
    """Every whole JSON object in a JSON-lines file (events, predictions, samples)."""
    return EventTail(path).read()


def read_new_lines(path: str | Path, offset: int) -> tuple[list[str], int]:
    """Whole text lines appended to a file since `offset` (bytes), and the new offset."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            chunk = f.read()
    except FileNotFoundError:
        return [], offset
    end = chunk.rfind(b"\n")
    if end < 0:
        return [], offset
    text = chunk[:end].decode("utf-8", errors="replace")
    return text.splitlines(), offset + end + 1


def final_event(events: list[dict]) -> dict | None:
    """The event that ended the run's latest attempt; None while it runs (a resumed run's
    old stopped/failed event lies before its `resume` event and ends nothing now)."""
    for e in reversed(events):
        if e.get("type") in FINAL_TYPES:
            return e
        if e.get("type") == "resume":
            return None
    return None
