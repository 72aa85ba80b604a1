"""The workspace: run folders plus a SQLite registry of every run.

Layout of a workspace (default `./workspace`, or $STUDIO_WORKSPACE):
  studio.sqlite             the registry (path overridable with $STUDIO_REGISTRY)
  runs/<id>/                one run's folder

The run folder is the truth and `studio.runfolder.RunFolder` (re-exported here) is its one
owner: its file names (listed in runfolder.py, not repeated here), and every reader and
writer of those files, live there; the trainer, the CLI and the page call it.
The registry is a convenience index. A run marked running whose process is gone is reconciled
from its event log (or marked failed with the reason).
"""
from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .errors import RunError
from .processes import pid_alive
from .runfolder import RunFolder  # noqa: F401 - the folder's owner; re-exported

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY, name TEXT, task TEXT, model TEXT, family TEXT, method TEXT,
  status TEXT, config TEXT, created REAL, started REAL, finished REAL,
  metrics TEXT, reason TEXT, pid INTEGER, host TEXT, run_dir TEXT, owner TEXT DEFAULT '')
"""
COLUMNS = ("id", "name", "task", "model", "family", "method", "status", "config", "created",
           "started", "finished", "metrics", "reason", "pid", "host", "run_dir", "owner")
ACTIVE = ("queued", "running")
log = logging.getLogger(__name__)


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

    @property
    def named(self) -> bool:
        """Whether someone named the run (an unnamed run's name is its id)."""
        return bool(self.name) and self.name != self.id

    @property
    def label(self) -> str:
        """What lists and charts call the run: its name, or its model when it was not named
        (the id is long and says nothing about the run)."""
        return self.name if self.named else (self.model or self.id)

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
        # A workspace this process cannot write (a read-only mount, another user's folder) is
        # still browsable: the index is copied into memory and nothing is written back.
        self.read_only = not writable(self.workspace) or (
            self.db_path.exists() and not writable(self.db_path))
        self._memory = None
        if self.read_only:
            self._open_read_only()
            return
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        damaged = False
        try:
            self._create_schema()
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError):  # locked, or a full disk: not damage
                raise
            # The index is damaged (garbage bytes, a torn copy): keep it aside for inspection
            # and rebuild it from the run folders, which are the truth.
            aside = self.db_path.with_name(f"{self.db_path.name}.damaged-{int(time.time())}")
            self.db_path.rename(aside)
            for extra in ("-wal", "-shm"):
                Path(f"{self.db_path}{extra}").unlink(missing_ok=True)
            log.warning("The run registry %s was damaged; moved it to %s and rebuilt it from "
                        "the run folders.", self.db_path, aside.name)
            self._create_schema()
            damaged = True
        added = self._index_unlisted_folders()
        if added and not damaged:
            log.warning("The run registry %s did not list %d run folder(s); added them back "
                        "from the folders.", self.db_path, added)

    def _open_read_only(self) -> None:
        """An in-memory copy of the index (read through immutable=1 when the folder is not
        writable: SQLite's mode=ro still needs to create the -shm file of a WAL database),
        completed from the run folders. Reads work as usual; writes that matter refuse."""
        self._memory = f"file:studio-ro-{secrets.token_hex(8)}?mode=memory&cache=shared"
        self._anchor = sqlite3.connect(self._memory, uri=True, check_same_thread=False)
        if self.db_path.exists():
            flag = "mode=ro" if writable(self.db_path.parent) else "immutable=1"
            try:
                with closing(sqlite3.connect(f"file:{quote(str(self.db_path))}?{flag}",
                                             uri=True)) as src:
                    src.backup(self._anchor)
            except sqlite3.Error:
                log.warning("The run registry %s cannot be read; listing the run folders "
                            "instead.", self.db_path)
        try:
            self._create_schema()
        except sqlite3.DatabaseError:  # a copied but damaged index: start from the folders
            self._anchor.close()
            self._anchor = sqlite3.connect(self._memory, uri=True, check_same_thread=False)
            self._create_schema()
        if self.runs_dir.is_dir():
            self._index_unlisted_folders()

    def require_writable(self, action: str = "change it") -> None:
        """Refuse a write on a read-only workspace with one sentence (code
        workspace_read_only); `action` (what was refused) goes to the log, not the sentence,
        whose words the catalogues own."""
        if self.read_only:
            log.info("refused on the read-only workspace %s: %s", self.workspace, action)
            raise RunError(code="workspace_read_only", workspace=str(self.workspace))

    def _create_schema(self) -> None:
        # Processes that open a new registry at the same moment (the ranks of a torchrun job,
        # an app and a CLI run) race to switch it to WAL, and SQLite answers the loser "database
        # is locked" at once instead of waiting: try again for a while before giving up.
        for attempt in range(60):
            try:
                with closing(self._connect()) as db, db:
                    db.execute(SCHEMA)
                    have = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
                    if "owner" not in have:  # a registry from before runs had owners
                        db.execute("ALTER TABLE runs ADD COLUMN owner TEXT DEFAULT ''")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or attempt == 59:
                    raise
                time.sleep(0.1 + 0.01 * attempt)

    def _index_unlisted_folders(self) -> int:
        """Run folders the index does not know (an emptied or rebuilt registry, a copied
        workspace) are added back from their job.yaml and event log; how many were added."""
        with closing(self._connect()) as db:
            known = {r[0] for r in db.execute("SELECT id FROM runs")}
        added = 0
        for path in sorted(self.runs_dir.iterdir()):
            folder = RunFolder(path)
            if path.name in known or not folder.job_file.is_file():
                continue
            try:
                cfg = folder.config()
            except Exception:  # noqa: BLE001 - an unreadable job file: index what we can
                cfg = None
            start = next((e for e in folder.events() if e.get("type") == "start"), {})
            final = folder.final_event() or {}
            added += 1
            self._insert(Run(id=path.name, name=getattr(cfg, "name", "") or path.name,
                            task=start.get("task") or getattr(cfg, "task", ""),
                            model=start.get("model") or (cfg.model.name if cfg else ""),
                            family=start.get("family", ""),
                            method=start.get("method") or (cfg.method.method if cfg else ""),
                            status=final.get("type", "failed"), metrics=final.get("metrics") or {},
                            reason=final.get("reason", "") if final else (
                                "The run has no final event; it was interrupted."),
                            created=folder.job_file.stat().st_mtime, run_dir=str(path),
                            owner=folder.owner()))
        return added

    def _connect(self) -> sqlite3.Connection:
        if self._memory:
            return sqlite3.connect(self._memory, uri=True)
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
        self.require_writable("start a run")
        run_id = run_id or new_run_id(cfg.name or Path(cfg.data.train_file).stem)
        run = self.create(Run(id=run_id, name=cfg.name or run_id, task=cfg.task,
                              model=cfg.model.name, method=cfg.method.method, status=status,
                              config=cfg.to_yaml(), owner=owner))
        cfg.to_yaml(RunFolder(run.run_dir).job_file)
        return run

    def create(self, run: Run) -> Run:
        self.require_writable("start a run")
        return self._insert(run)

    def _insert(self, run: Run) -> Run:
        run.created = run.created or time.time()
        run.run_dir = run.run_dir or str(self.run_dir(run.id))
        if not self._memory:
            Path(run.run_dir).mkdir(parents=True, exist_ok=True)
            # The owner lives in the folder too: a rebuilt index gives the run back to it.
            RunFolder(run.run_dir).write_owner(run.owner)
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
            raise RunError(code="no_run", run=run_id)
        self.require_writable("delete a run")
        if run.status == "running" and pid_alive(run.pid):
            raise RunError(code="still_running", run=run_id)
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
        return self._reconcile(_row_to_run(row, self.runs_dir))

    def find(self, ref: str, owner: str | None = None) -> Run | None:
        """A run by full id, unique id prefix or name; newest wins for a repeated name."""
        if not str(ref or "").strip():  # "" is a prefix of every id: never "the newest run"
            raise RunError(code="no_run_id")
        run = self.get(ref, owner)
        if run:
            return run
        for r in self.list(owner=owner):
            if r.id.startswith(ref) or r.name == ref:
                return r
        return None

    def list(self, limit: int = 1000, owner: str | None = None) -> list[Run]:
        where, args = ("WHERE owner=?", (owner,)) if owner is not None else ("", ())
        return self._select(f"{where} ORDER BY created DESC LIMIT ?", (*args, limit))

    def active(self, owner: str | None = None) -> list[Run]:
        """Every queued or running run (of `owner`; None: anyone's), oldest first, however many
        runs the workspace holds: a query, not a filter over the newest N."""
        where, args = "WHERE status IN (?, ?)", ACTIVE
        if owner is not None:
            where, args = where + " AND owner=?", (*ACTIVE, owner)
        runs = self._select(f"{where} ORDER BY created", args)
        return [r for r in runs if r.status in ACTIVE]  # some had ended unrecorded

    def _select(self, clauses: str, args: tuple) -> list[Run]:
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(f"SELECT * FROM runs {clauses}", args).fetchall()
        return [self._reconcile(_row_to_run(r, self.runs_dir)) for r in rows]

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
        elif run.status == "running" and run.pid and not pid_alive(run.pid):
            run.status = "failed"
            run.reason = ("The training process ended without finishing (it was killed or ran "
                          "out of memory); see train.log in the run folder.")
            run.finished = time.time()
        else:
            return run
        try:  # best effort: a full disk must not turn a read into an error
            self.update(run.id, status=run.status, metrics=run.metrics, reason=run.reason,
                        finished=run.finished)
        except sqlite3.OperationalError as e:
            log.info("Could not record run %s as %s: %s", run.id, run.status, e)
        return run


def _row_to_run(row: sqlite3.Row, runs_dir: Path) -> Run:
    d = dict(row)
    # Always this workspace's folder: a copied or moved workspace must never read (or
    # delete) the original's run folders through absolute paths stored in the index.
    d["run_dir"] = str(runs_dir / d["id"])
    d["metrics"] = json.loads(d.get("metrics") or "{}")
    d["owner"] = d.get("owner") or ""
    return Run(**{k: d.get(k) for k in COLUMNS if k in d})


def writable(path: Path) -> bool:
    """Whether this process may write `path` (permissions and read-only mounts)."""
    return os.access(path, os.W_OK)

