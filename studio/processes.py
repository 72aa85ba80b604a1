"""Whether a process still runs: the registry reconciles runs with it, stop and the export
janitor ask it."""
from __future__ import annotations

import os


def pid_alive(pid: int | None) -> bool:
    """Whether process `pid` runs (a zombie child of ours counts as ended)."""
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
