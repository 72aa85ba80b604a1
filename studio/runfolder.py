"""One run's folder and everything in it: the only module that knows the folder's file names.

  job.yaml        the resolved job          events.jsonl   the event log (studio.events)
  train.log       the log, tracebacks       stdout.log     the training process's output
  metrics.json    before/after metrics      model/         the model or adapter + studio.json
  checkpoints/    Trainer checkpoints       STOP           the marker that asks for a stop
  predictions_{before,after}.jsonl / samples_{before,after}.jsonl   per-row validation outputs
  findings.json   the training-health advisor's findings (studio.advisor)
  owner           who the run belongs to on a hosted studio (a login or an anonymous browser's
                  hash), so a rebuilt registry gives each run back to its owner
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from . import events as ev


class RunFolder:
    """One run's folder: its file names, readers and writers."""

    JOB, EVENTS, LOG, STDOUT = "job.yaml", "events.jsonl", "train.log", "stdout.log"
    METRICS, MODEL, CHECKPOINTS, STOP = "metrics.json", "model", "checkpoints", "STOP"
    LOCK = "LOCK"  # pid and start time of the one process that writes this folder
    EXPORTS = "exports"  # exported copies of the model (studio.export): exports/<format>/
    MODEL_INFO = "studio.json"  # inside model/: task, family, labels, base model (inference)
    OWNER = "owner"  # the run's owner ("" or absent in local mode): the registry's rebuild reads it
    FINDINGS = "findings.json"  # the training-health advisor's findings (studio.advisor)

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def id(self) -> str:
        return self.path.name

    # ---- paths ----------------------------------------------------------------------------
    @property
    def job_file(self) -> Path:
        return self.path / self.JOB

    @property
    def events_file(self) -> Path:
        return self.path / self.EVENTS

    @property
    def log_file(self) -> Path:
        return self.path / self.LOG

    @property
    def stdout_file(self) -> Path:
        return self.path / self.STDOUT

    @property
    def model_dir(self) -> Path:
        return self.path / self.MODEL

    @property
    def checkpoints_dir(self) -> Path:
        return self.path / self.CHECKPOINTS

    @property
    def exports_dir(self) -> Path:
        return self.path / self.EXPORTS

    @property
    def stop_file(self) -> Path:
        return self.path / self.STOP

    def outputs_file(self, kind: str, phase: str) -> Path:
        """Per-row validation outputs: kind 'predictions' (classification) or 'samples'
        (generation), phase 'before' or 'after' training."""
        return self.path / f"{kind}_{phase}.jsonl"

    # ---- readers --------------------------------------------------------------------------
    def config(self):
        from .config import JobConfig
        return JobConfig.from_yaml(self.job_file)

    def events(self) -> list[dict]:
        return ev.read_all(self.events_file)

    def tail(self, offset: int = 0) -> ev.EventTail:
        """A reader of the events appended after `offset` bytes; keep it (or its offset)."""
        return ev.EventTail(self.events_file, offset)

    def final_event(self) -> dict | None:
        return ev.final_event(self.events())

    def log_lines(self, offset: int = 0) -> tuple[list[str], int]:
        """Whole lines appended to train.log since `offset` bytes, and the new offset."""
        return ev.read_new_lines(self.log_file, offset)

    def metrics(self) -> dict:
        """metrics.json (before and after training), {} while there is none."""
        try:
            data = json.loads(self.path.joinpath(self.METRICS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def outputs(self, kind: str, phase: str = "after", limit: int | None = None) -> list[dict]:
        """The rows of predictions_*.jsonl / samples_*.jsonl; torn or odd lines skipped."""
        rows = []
        for event in ev.read_all(self.outputs_file(kind, phase)):
            rows.append(event)
            if limit is not None and len(rows) >= limit:
                break
        return rows

    def read_findings(self) -> list | None:
        """findings.json (a list of finding dicts), None where the run has none recorded."""
        try:
            data = json.loads(self.path.joinpath(self.FINDINGS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, list) else None

    def owner(self) -> str:
        """The owner written when the run was created; "" (local mode, or an older run)."""
        try:
            text = self.path.joinpath(self.OWNER).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return ""
        return text if len(text) <= 200 and text.isprintable() else ""

    def has_model(self) -> bool:
        return (self.model_dir / self.MODEL_INFO).exists()

    def stop_requested(self) -> bool:
        return self.stop_file.exists()

    def train_command(self, workspace: str | Path, python: str = "python") -> list[str]:
        """The command that trains this folder's job: what the queue runs and the page shows."""
        return [python, "-m", "studio", "train", str(self.job_file),
                "--workspace", str(workspace)]

    # ---- writers --------------------------------------------------------------------------
    def write_owner(self, owner: str) -> None:
        """Record the owner in the folder, the truth the registry is rebuilt from."""
        if owner:
            tmp = self.path / f".{self.OWNER}.tmp"
            tmp.write_text(owner + "\n", encoding="utf-8")
            os.replace(tmp, self.path / self.OWNER)

    def write_metrics(self, metrics: dict) -> None:
        self.path.joinpath(self.METRICS).write_text(json.dumps(metrics, indent=2, default=str),
                                                    encoding="utf-8")

    def write_findings(self, findings: list[dict]) -> None:
        self.path.joinpath(self.FINDINGS).write_text(
            json.dumps(findings, indent=2, ensure_ascii=False, default=str), encoding="utf-8")

    def write_outputs(self, kind: str, phase: str, rows: list[dict]) -> None:
        with open(self.outputs_file(kind, phase), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")

    def request_stop(self) -> bool:
        """Leave the stop marker; True when this is the first request (False: asked before)."""
        if self.stop_file.exists():
            return False
        self.stop_file.write_text("stop requested\n")
        return True

    def clear_stop(self) -> None:
        self.stop_file.unlink(missing_ok=True)

    def drop_partial_checkpoints(self) -> list[str]:
        """Remove checkpoints whose writing was cut short (a full disk): the Trainer writes
        trainer_state.json last, so a folder without it is incomplete and resuming from it
        would fail; the last complete checkpoint stays. Returns the names removed."""
        import shutil
        gone = []
        for ckpt in sorted(self.checkpoints_dir.glob("checkpoint-*")):
            if ckpt.is_dir() and not (ckpt / "trainer_state.json").is_file():
                shutil.rmtree(ckpt, ignore_errors=True)
                gone.append(ckpt.name)
        return gone

    # ---- one writer -----------------------------------------------------------------------
    def acquire(self) -> None:
        """Become the folder's one writer, or raise RunError when a live process is. A lock
        left by a dead process (or a reused pid with another start time) is taken over."""
        from .errors import RunError
        lock = self.path / self.LOCK
        mine = f"{os.getpid()} {process_start(os.getpid())}"
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = lock.read_text(encoding="utf-8", errors="replace").split()
                pid = int(holder[0]) if holder and holder[0].isdigit() else 0
                if pid and pid != os.getpid() and holder[1:2] == [process_start(pid)]:
                    raise RunError(code="run_locked", run=self.id, pid=pid) from None
                lock.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as f:
                f.write(mine)
            return

    def release(self) -> None:
        lock = self.path / self.LOCK
        try:
            if lock.read_text().split()[:1] == [str(os.getpid())]:
                lock.unlink()
        except OSError:
            pass


def process_start(pid: int) -> str:
    """A process's start time (clock ticks since boot) from /proc: with the pid it names one
    process, so a reused pid does not look like the old writer. '' where /proc is missing."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""

