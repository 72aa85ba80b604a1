"""A sweep's record in the workspace: `sweeps/<id>.json`, its candidates and what became of
them (run id once queued, 'skipped' when the time budget left it out), so any process - the
page after a reload, the CLI, a test - can show its progress. The runs themselves are ordinary
runs that carry the sweep id in their job (`JobConfig.sweep`)."""
from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config import JobConfig
from ..errors import RunError


@dataclass
class Entry:
    name: str
    total_steps: int
    config: dict                   # the candidate's JobConfig as a dict
    run_id: str = ""               # "" until queued
    skipped: str = ""              # why it was not started (the budget's sentence)

    def job(self) -> JobConfig:
        return JobConfig.from_dict(self.config)


@dataclass
class Sweep:
    id: str
    owner: str = ""
    created: float = 0.0
    budget_minutes: float | None = None
    note: str = ""                 # the budget's sentence once it stopped launching
    note_params: dict = field(default_factory=dict)  # its numbers, for a translated sentence
    entries: list[Entry] = field(default_factory=list)
    # "queue": candidates go on the app's JobQueue and a driver watches them (re-armed when the
    # app starts again); "foreground": the CLI trains them in its own process.
    mode: str = "queue"
    finished: bool = False         # every candidate is over: nothing left to watch

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Sweep":
        entries = [Entry(**e) for e in data.get("entries", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{**{k: v for k, v in data.items() if k in known}, "entries": entries})


def new_sweep_id() -> str:
    # Random bits as in run ids: on a hosted studio one sweep id must not reveal another.
    return f"sweep-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(4)}"


def sweeps_dir(workspace) -> Path:
    return Path(workspace) / "sweeps"


def save(workspace, sweep: Sweep) -> None:
    folder = sweeps_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{sweep.id}.json.tmp"
    tmp.write_text(json.dumps(sweep.to_dict(), ensure_ascii=False, default=str),
                   encoding="utf-8")
    os.replace(tmp, folder / f"{sweep.id}.json")  # readers never see half a record


def load(workspace, sweep_id: str, owner: str | None = None) -> Sweep:
    """The sweep, or RunError; someone else's sweep answers like a missing one."""
    name = Path(str(sweep_id)).name
    try:
        data = json.loads((sweeps_dir(workspace) / f"{name}.json").read_text(encoding="utf-8"))
        sweep = Sweep.from_dict(data)
    except (OSError, ValueError, TypeError):
        sweep = None
    if sweep is None or name != sweep_id or (owner is not None and sweep.owner != owner):
        raise RunError(code="no_sweep", sweep=sweep_id)
    return sweep


def unfinished(workspace) -> list[Sweep]:
    """The queue sweeps whose manifest does not say they are over, oldest first."""
    found = []
    for path in sorted(sweeps_dir(workspace).glob("sweep-*.json")):
        try:
            sweep = Sweep.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            continue
        if sweep.mode == "queue" and not sweep.finished and sweep.entries:
            found.append(sweep)
    return sorted(found, key=lambda s: s.created)
