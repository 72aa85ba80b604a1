"""`python -m studio train|sweep --cluster ADDRESS`: submit to the cluster, follow in the terminal.

The command submits through the same JobQueue the page uses (same checks, same child, same run
folder) and echoes the run's events as a local `train` does. Ctrl-C asks the run to stop (its
model is saved), a second Ctrl-C kills it on the cluster.
"""
from __future__ import annotations

import logging
import time

from ..launcher import JobQueue
from ..runs import ACTIVE

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5


class CommandQueue(JobQueue):
    """A queue that follows only what this command submits: the page's waiting runs and the
    cluster runs of an app sharing the workspace stay the app's."""

    def _adopt_queued(self) -> None:
        pass

    def _reattach(self) -> None:
        pass


def cluster_queue(registry, address: str) -> CommandQueue:
    from . import make_backend
    return CommandQueue(registry, max_parallel=None,
                        backend=make_backend(address, registry.workspace))


def wait_for(queue: JobQueue, run_ids, tick=None) -> None:
    """Until every run has ended (`tick`, when given, decides: True once all are over);
    Ctrl-C stops them (asks, then kills). `run_ids`: a list, or a callable giving it."""
    registry = queue.registry
    ids = run_ids if callable(run_ids) else (lambda: run_ids)
    interrupted = 0
    while True:
        try:
            if tick is not None:
                if tick():
                    return
            elif all((r := registry.get(rid)) is None or r.status not in ACTIVE
                     for rid in ids()) and not queue.running():
                return
            time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            interrupted += 1
            for rid in ids():
                run = registry.get(rid)
                if run is not None and run.status in ACTIVE:
                    print(queue.stop(rid), flush=True)
            if interrupted > 2:
                return


def train_on_cluster(args, registry, address: str) -> int:
    """The train command's cluster path: one run, followed to its end; the exit code of a
    local train (0 done, 1 otherwise)."""
    import sys
    from ..jobargs import UserError, job_from_args
    from ..console import ConsoleEcho
    from ..jobs import precheck
    if args.resume:
        raise UserError("--resume trains on this machine; run it without --cluster.")
    cfg = job_from_args(args)
    precheck(cfg)  # a wrong path, model or length: exit 2 at once, no failed run left
    queue = cluster_queue(registry, address)
    run = queue.submit(cfg)
    folder = registry.folder(run)
    print(f"run {run.id}: {folder.path} (on the Ray cluster at {address})", flush=True)
    with ConsoleEcho(folder.events_file):
        wait_for(queue, [run.id])
    final = registry.get(run.id)
    if final.status != "done":
        if final.reason:
            print(f"error: {final.reason}", file=sys.stderr)
        return 1
    return 0


def sweep_on_cluster(registry, base, grid, budget_minutes, address: str, say=print):
    """A sweep whose candidates train on the cluster at once, as many as it has room for; the
    budget watcher (launch.Driver) ticks here, on the driver. Returns the Sweep."""
    from ..sweep import launch
    from ..sweep.progress import line_of
    queue = cluster_queue(registry, address)
    sweep = launch.start(queue, base, grid, budget_minutes=budget_minutes, drive=False)
    driver = launch.Driver(queue, sweep)
    total = len(sweep.entries)
    say(f"sweep {sweep.id}: {total} candidate(s) on the Ray cluster at {address}, shared "
        f"split, early stopping on")
    told: set[str] = set()

    def tick() -> bool:
        over = driver.tick()
        for i, entry in enumerate(sweep.entries):
            line = line_of(registry, entry)
            if entry.run_id and entry.run_id not in told and line.status not in (
                    "queued", "running", "waiting"):
                told.add(entry.run_id)
                say(f"[{i + 1}/{total}] {line.text()}")
        return over

    wait_for(queue, lambda: [e.run_id for e in sweep.entries if e.run_id], tick=tick)
    driver.save()
    return sweep
