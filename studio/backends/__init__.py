"""Where the job queue's training children run: this machine (the default) or a Ray cluster.

A backend only starts, follows and kills one child; everything else (the line of waiting runs,
the owners' limits, the events, the registry) stays in studio.launcher and the run folder, so a
run behaves the same wherever it trains. A started child is a handle with the few methods of
`subprocess.Popen` the queue uses: `pid` (None when the child is not on this machine),
`poll()`, `wait(timeout)` (raises subprocess.TimeoutExpired) and `reason` (a sentence when it
ended for a reason its own events cannot tell, e.g. its cluster worker died).

Ray is imported only when a cluster is named (`--cluster`, $STUDIO_CLUSTER).
"""
from __future__ import annotations

import abc
import os

CLUSTER_ENV = "STUDIO_CLUSTER"


class Backend(abc.ABC):
    """The interface: `submit` starts a run's child, `reattach` finds one a previous server
    started, `kill` ends one at once. `max_parallel` is how many runs may train at once when
    the user did not say (None: the queue's own default)."""
    name = "local"
    remote = False
    max_parallel: int | None = None

    @abc.abstractmethod
    def submit(self, run, argv: list[str], env: dict, cwd: str, stdout_path: str):
        """Start the run's child; returns a handle that behaves like subprocess.Popen."""

    def reattach(self, run):
        """The handle of a run still training that a previous server started, or None."""
        return None

    def kill(self, run) -> bool:
        """End the run's child at once; False when this backend has nothing to kill."""
        return False

    def close(self) -> None:
        pass


def cluster_address(given: str | None = None, environ=None) -> str:
    """The cluster named by a flag or $STUDIO_CLUSTER ('' for none: train on this machine)."""
    env = os.environ if environ is None else environ
    return (given if given is not None else env.get(CLUSTER_ENV, "")).strip()


def make_backend(cluster: str | None = None, workspace=None):
    """The backend for `cluster` ('' or None: this machine). Connecting to a cluster checks
    that its nodes see the workspace and raises a StudioError saying what is wrong if not."""
    address = cluster_address(cluster)
    if not address or address.lower() in ("local", "none"):
        from .local import LocalBackend
        return LocalBackend()
    from .ray_backend import RayBackend
    return RayBackend.connect(address, workspace)


def kill_on_cluster(run) -> bool:
    """Kill a run a cluster trains (its folder names the cluster), from a command that has no
    queue; False when the run is not a cluster's."""
    import json
    from pathlib import Path
    try:
        info = json.loads(Path(run.run_dir, "cluster-submit.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    from .ray_backend import RayBackend
    return RayBackend.connect(info["address"]).kill(run)
