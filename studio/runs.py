"""The workspace: run folders plus a SQLite registry of every run.

Layout of a workspace (default `./workspace`, or $STUDIO_WORKSPACE):
  studio.sqlite             the registry (path overridable with $STUDIO_REGISTRY)
  runs/<id>/job.yaml        the resolved job
  runs/<id>/events.jsonl    the event log (studio.events)
  runs/<id>/train.log       the log, tracebacks included
  runs/<id>/metrics.json    final metrics (before and after)
  runs/<id>/model/          the trained model or LoRA adapter, tokenizer, labels.json
  runs/<id>/checkpoints/    Trainer checkpoints for resume
  runs/<id>/STOP            written to ask the training process to stop

The run folder is the truth and `RunFolder` is its one owner: every file name above, and
every reader and writer of those files, lives there; the trainer, the CLI and the page call it.
The registry is a convenience index. A run marked running whose process is gone is reconciled
from its event log (or marked failed with the reason).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from . import events as ev
from .errors import RunError

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, name TEXT, task TEXT, model TEXT, family TEXT, method TEXT,
  status TEXT, config TEXT, created REAL, started REAL, finished REAL,
  metrics TEXT, reason TEXT, pid INTEGER, host TEXT, run_dir TEXT, owner TEXT DEFAULT '')
"""
COLUMNS = ("id", "name", "task", "model", "family", "method", "status", "config", "created",
           "started", "finished", "metrics", "reason", "pid", "host", "run_dir", "owner")
ACTIVE = ("queued", "running")


class RunFolder:
    """One run's folder: its file names, readers and writers."""

    JOB, EVENTS, LOG, STDOUT = "job.yaml", "events.jsonl", "train.log", "stdout.log"
    METRICS, MODEL, CHECKPOINTS, STOP = "metrics.json", "model", "checkpoints", "STOP"
    MODEL_INFO = "studio.json"  # inside model/: task, family, labels, base model (inference)

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

    def has_model(self) -> bool:
        return (self.model_dir / self.MODEL_INFO).exists()

    def stop_requested(self) -> bool:
        return self.stop_file.exists()

    def train_command(self, workspace: str | Path, python: str = "python") -> list[str]:
        """The command that trains this folder's job: what the queue runs and the page shows."""
        return [python, "-m", "studio", "train", str(self.job_file),
                "--workspace", str(workspace)]

    # ---- writers --------------------------------------------------------------------------
    def write_metrics(self, metrics: dict) -> None:
        self.path.joinpath(self.METRICS).write_text(json.dumps(metrics, indent=2, default=str),
                                                    encoding="utf-8")

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


def workspace_dir(path: str | Path | None = None) -> Path:
    ws = Path(path or os.environ.get("STUDIO_WORKSPACE") or "workspace").expanduser().resolve()
    ws.mkdir(parents=True, exist_ok=True)
    return ws


@dataclass
class Run:
    id: str
    name: str = ""
    task: str = ""
    model: str = ""
    family: str = ""
    method: str = ""
    status: str = "queued"
    config: str = ""
    created: float = 0.0
    started: float | None = None
    finished: float | None = None
    metrics: dict = field(default_factory=dict)
    reason: str = ""
    pid: int | None = None
    host: str = ""
    run_dir: str = ""
    owner: str = ""                # "" in local mode; a login or an anonymous browser's key

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d.pop("config")
        return d


def new_run_id(name: str = "") -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", name).strip("-").lower()[:24]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    # 48 random bits: on a hosted studio an id must not be guessable from another one.
    return "-".join(x for x in (stamp, slug, secrets.token_hex(6)) if x)


class Registry:
    def __init__(self, workspace: str | Path | None = None, db_path: str | Path | None = None):
        self.workspace = workspace_dir(workspace)
        self.db_path = Path(db_path or os.environ.get("STUDIO_REGISTRY")
                            or self.workspace / "studio.sqlite")
        self.runs_dir = self.workspace / "runs"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute(SCHEMA)
            have = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
            if "owner" not in have:  # a registry from before runs had owners
                db.execute("ALTER TABLE runs ADD COLUMN owner TEXT DEFAULT ''")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")  # readers never block the training writer
        return db

    def run_dir(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    def folder(self, run: "Run | str") -> RunFolder:
        return RunFolder(run.run_dir if isinstance(run, Run) else self.run_dir(run))

    # ---- writes -------------------------------------------------------------------------
    def new_run(self, cfg, run_id: str | None = None, status: str = "queued",
                owner: str = "") -> Run:
        """A run folder with its job.yaml and a registry entry: what `train` then runs."""
        run_id = run_id or new_run_id(cfg.name or Path(cfg.data.train_file).stem)
        run = self.create(Run(id=run_id, name=cfg.name or run_id, task=cfg.task,
                              model=cfg.model.name, method=cfg.method.method, status=status,
                              config=cfg.to_yaml(), owner=owner))
        cfg.to_yaml(RunFolder(run.run_dir).job_file)
        return run

    def create(self, run: Run) -> Run:
        run.created = run.created or time.time()
        run.run_dir = run.run_dir or str(self.run_dir(run.id))
        Path(run.run_dir).mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            values = {**run.__dict__, "metrics": json.dumps(run.metrics)}
            db.execute(f"INSERT OR REPLACE INTO runs ({', '.join(COLUMNS)}) VALUES "
                       f"({', '.join('?' * len(COLUMNS))})", [values[c] for c in COLUMNS])
        return run

    def update(self, run_id: str, **fields) -> None:
        if "metrics" in fields:
            fields["metrics"] = json.dumps(fields["metrics"], default=str)
        cols = ", ".join(f"{k}=?" for k in fields)
        with closing(self._connect()) as db, db:
            db.execute(f"UPDATE runs SET {cols} WHERE id=?", (*fields.values(), run_id))

    def delete(self, run_id: str, owner: str | None = None) -> None:
        run = self.get(run_id, owner)
        if run is None:
            raise RunError(f"No run '{run_id}'; see the run list.", "no_run", run=run_id)
        if run.status == "running" and _alive(run.pid):
            raise RunError(f"Run {run_id} is still training; stop it before deleting it.",
                           "still_running", run=run_id)
        with closing(self._connect()) as db, db:
            db.execute("DELETE FROM runs WHERE id=?", (run_id,))
        shutil.rmtree(self.run_dir(run_id), ignore_errors=True)

    # ---- reads --------------------------------------------------------------------------
    # `owner=None` sees every run (local mode, the CLI); an owner sees only its own runs, and
    # someone else's run looks exactly like one that does not exist.
    def get(self, run_id: str, owner: str | None = None) -> Run | None:
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM runs WHERE id=?", (str(run_id),)).fetchone()
        if row is None or (owner is not None and (row["owner"] or "") != owner):
            return None
        return self._reconcile(_row_to_run(row))

    def find(self, ref: str, owner: str | None = None) -> Run | None:
        """A run by full id, unique id prefix or name; newest wins for a repeated name."""
        run = self.get(ref, owner)
        if run:
            return run
        for r in self.list(owner=owner):
            if r.id.startswith(ref) or r.name == ref:
                return r
        return None

    def list(self, limit: int = 1000, owner: str | None = None) -> list[Run]:
        where, args = ("WHERE owner=?", (owner,)) if owner is not None else ("", ())
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(f"SELECT * FROM runs {where} ORDER BY created DESC LIMIT ?",
                              (*args, limit)).fetchall()
        return [self._reconcile(_row_to_run(r)) for r in rows]

    def _reconcile(self, run: Run) -> Run:
        """Bring a stale 'running' entry in line with its event log and process."""
        if run.status not in ACTIVE:
            return run
        final = RunFolder(run.run_dir).final_event()
        if final:
            run.status = final["type"]
            run.metrics = final.get("metrics") or run.metrics
            run.reason = final.get("reason", "")
            run.finished = final.get("time")
        elif run.status == "running" and run.pid and not _alive(run.pid):
            run.status = "failed"
            run.reason = ("The training process ended without finishing (it was killed or ran "
                          "out of memory); see train.log in the run folder.")
            run.finished = time.time()
        else:
            return run
        self.update(run.id, status=run.status, metrics=run.metrics, reason=run.reason,
                    finished=run.finished)
        return run


def _row_to_run(row: sqlite3.Row) -> Run:
    d = dict(row)
    d["metrics"] = json.loads(d.get("metrics") or "{}")
    d["owner"] = d.get("owner") or ""
    return Run(**{k: d.get(k) for k in COLUMNS if k in d})


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours is dead for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][:1] != "Z"
    except OSError:
        return True
