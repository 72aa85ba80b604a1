"""The job queue: runs `python -m studio train <run>/job.yaml` in child processes.

The UI never trains in its own process. A child writes its output to `<run>/stdout.log` (a file,
never a pipe nobody drains, which is what froze training in tools that did) and its events to
`<run>/events.jsonl`; it runs in its own session, so closing the browser or restarting the web
server does not stop it. At most `max_parallel` jobs train at once; the rest wait in order.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from .config import JobConfig
from .control import StopResult, request_stop
from .distributed import torchrun_command
from . import hosting, models
from .child_env import child_environment
from .errors import ConfigError, RunError, StudioError
from .queue_rules import OWNER_LEFT, QueueBook
from .runs import ACTIVE, Registry, Run, RunFolder

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]


class JobQueue:
    def __init__(self, registry: Registry, max_parallel: int | None = 1,
                 python: str = sys.executable, backend=None, rules=None):
        if backend is None:  # this machine; a cluster backend comes from studio.backends
            from .backends.local import LocalBackend
            backend = LocalBackend()
        self.backend = backend
        self.registry = registry
        self.max_parallel = max(1, max_parallel or backend.max_parallel or 1)
        self.python = python
        self._waiting: list[str] = []
        self._procs: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()
        self._polling = False
        self._closing = False  # set on shutdown: nothing new starts
        # Hosted: places per address and in total, abandoned jobs dropped (studio.queue_rules).
        self.rules = rules if isinstance(rules, QueueBook) else QueueBook(rules)
        if self.rules.rules.owner_timeout:
            threading.Thread(target=self._drop_abandoned_loop, daemon=True).start()
        self._reattach()
        self._adopt_queued()

    def _reattach(self) -> None:
        """Runs a previous server left training on the backend (a cluster) are followed again."""
        if self.registry.read_only:
            return
        for run in self.registry.active():
            if run.status == "running" and (proc := self.backend.reattach(run)) is not None:
                self._procs[run.id] = proc
                threading.Thread(target=self._watch, args=(run.id,), daemon=True).start()

    def _adopt_queued(self) -> None:
        """Runs left queued by a previous server keep their place in line."""
        for run in self.registry.active():  # oldest first
            if run.status == "queued":
                self._waiting.append(run.id)
        self._pump()

    def command(self, run: Run) -> list[str]:
        """The folder's train command; a job on N > 1 devices runs it under torchrun, one
        process per device (rank 0 writes the events and the registry). A resumed run runs
        `train --resume RUN`, the CLI's own path (it relaunches itself under torchrun)."""
        from .resuming import is_resumed
        folder = RunFolder(run.run_dir)
        if is_resumed(folder):
            return [self.python, "-m", "studio", "train", "--resume", run.id, "--workspace",
                    str(self.registry.workspace)]
        argv = folder.train_command(self.registry.workspace, self.python)
        devices = folder.config().train.devices if folder.job_file.exists() else 1
        return torchrun_command(argv[0], devices, argv[1:]) if devices > 1 else argv

    def submit(self, cfg: JobConfig, owner: str = "", address: str | None = None) -> Run:
        """Queue a job for `owner` ("" in local mode); the policy's limits are checked first,
        then the queue's places for the visitor's client `address` (None: queued by the
        engine itself, e.g. a sweep's next candidate)."""
        cfg.validate()
        policy = hosting.current()
        hosting.check_job(cfg, policy, models.PRESETS)
        if policy.hosted and cfg.train.devices > 1:  # one visitor, one process
            raise ConfigError(code="hosted_devices", field="train.devices")
        self._check_owner(owner, policy)
        self.registry.require_writable("start a run")
        self._check_space(cfg)
        self.drop_abandoned()
        ticket = self.rules.admit(address, owner, len(self._queued()), self._is_active)
        try:
            run = self.registry.new_run(cfg, owner=owner)
        except BaseException:
            self.rules.cancel(ticket)
            raise
        self.rules.placed(ticket, run.id, owner)
        with self._lock:
            self._waiting.append(run.id)
        self._pump()
        return self.registry.get(run.id) or run

    def resume(self, run_id: str, owner: str | None = None, address: str | None = None) -> Run:
        """Queue a stopped or failed run again from its last checkpoint, as `python -m studio
        train --resume RUN` does; hosted, only its owner may, within the same limits as a
        new job (studio.resuming says what refuses it)."""
        from .resuming import checkpoint_step, mark_resumed, resumable
        run = resumable(self.registry, run_id, owner)
        self._check_owner(run.owner, hosting.current())
        self.registry.require_writable("resume a run")
        ticket = self.rules.admit(address, run.owner, len(self._queued()), self._is_active)
        self.rules.placed(ticket, run.id, run.owner)
        mark_resumed(self.registry.folder(run), checkpoint_step(run))
        self.registry.update(run.id, status="queued", reason="", pid=None, finished=None)
        with self._lock:
            self._waiting.append(run.id)
        self._pump()
        return self.registry.get(run.id) or run

    def _check_owner(self, owner: str | None, policy) -> None:
        """Hosted: an owner's running jobs and their share of the disk (runs and uploads) are
        checked here, for a new job and a resumed one alike, whatever page or tool asks."""
        from .retention import check_disk_share
        if not owner:
            return
        if policy.max_jobs_per_owner:
            active = self.registry.active(owner)
            if len(active) >= policy.max_jobs_per_owner:
                raise RunError(code="owner_job_limit", count=len(active))
        check_disk_share(self.registry, owner, policy)

    def _check_space(self, cfg: JobConfig) -> None:
        """Refuse a job the workspace's disk cannot hold; a model that cannot be found here
        is left to the run, which says so in its own words."""
        from .disk import check_free_space
        try:
            location, _ = models.resolve_location(cfg.model.name, cfg.model.trust_remote_code)
        except StudioError:
            return
        check_free_space(cfg, self.registry.workspace, location)

    def position(self, run_id: str) -> int:
        """0 when training (or finished), n when n-th in line; runs cancelled elsewhere (the
        CLI) leave the line first. Asked by the owner's page on every poll, so it also says
        the owner is still there."""
        waiting = self._queued()
        if run_id in waiting and self.rules.rules.owner_timeout:
            run = self.registry.get(run_id)
            if run is not None:
                self.rules.seen(run.owner)
        return waiting.index(run_id) + 1 if run_id in waiting else 0

    def owner_present(self, owner: str | None) -> None:
        """The owner's page is open (it polled something of theirs, e.g. a sweep's lines):
        their queued jobs keep their places."""
        if owner:
            self.rules.seen(owner)

    def _queued(self) -> list[str]:
        """The line, without runs cancelled or started elsewhere."""
        with self._lock:
            waiting = list(self._waiting)
        gone = [rid for rid in waiting if (r := self.registry.get(rid)) is None
                or r.status != "queued"]
        if gone:
            with self._lock:
                self._waiting = [rid for rid in self._waiting if rid not in gone]
                waiting = list(self._waiting)
            for rid in gone:
                if rid not in self._procs:
                    self.rules.forget(rid)
        return waiting

    def _is_active(self, run_id: str) -> bool:
        run = self.registry.get(run_id)
        return run is not None and run.status in ACTIVE

    def drop_abandoned(self) -> list[str]:
        """Drop queued jobs whose owner left (studio.queue_rules); their reason is recorded
        in the run (registry and events) for when the owner comes back."""
        from .events import EventWriter
        dropped = self.rules.abandoned(self._queued())
        if not dropped or self.registry.read_only:
            return []
        minutes = round(self.rules.rules.owner_timeout / 60, 1)
        reason = OWNER_LEFT.format(minutes=f"{minutes:g}")
        with self._lock:
            self._waiting = [rid for rid in self._waiting if rid not in dropped]
        for rid in dropped:
            folder = self.registry.folder(rid)
            if folder.final_event() is None:
                EventWriter(folder.events_file).emit("stopped", step=0, model_path=None,
                                                     reason=reason, code="queue_owner_left",
                                                     params={"minutes": f"{minutes:g}"})
            self.registry.update(rid, status="stopped", reason=reason, finished=time.time())
            self.rules.forget(rid)
            log.info("Dropped queued run %s: its owner left.", rid)
        return dropped

    def _drop_abandoned_loop(self) -> None:
        every = max(1.0, min(30.0, self.rules.rules.owner_timeout / 4))
        while not self._closing:
            time.sleep(every)
            try:
                if self.drop_abandoned():
                    self._pump()
            except Exception:  # noqa: BLE001 - a bad read now is retried at the next look
                log.exception("queue: dropping abandoned jobs")

    def running(self) -> list[str]:
        with self._lock:
            return [rid for rid, p in self._procs.items() if p.poll() is None]

    def _pump(self) -> None:
        with self._lock:
            if self._closing or self.registry.read_only:  # nothing can start or be written
                return
            for rid, proc in list(self._procs.items()):
                if proc.poll() is not None:
                    del self._procs[rid]
            busy = len(self._procs) + sum(1 for r in self.registry.active()
                                          if r.status == "running" and r.id not in self._procs
                                          and r.pid)
            while self._waiting and busy < self.max_parallel:
                rid = self._waiting.pop(0)
                run = self.registry.get(rid)
                if run is None or run.status != "queued":
                    continue
                self._procs[rid] = self._spawn(run)
                busy += 1
                threading.Thread(target=self._watch, args=(rid,), daemon=True).start()
            # Held back by a run this queue did not start (a CLI run, or one a previous app left
            # training): nothing of ours will end, so look again until it has.
            if self._waiting and busy >= self.max_parallel and not self._procs \
                    and not self._polling:
                self._polling = True
                threading.Thread(target=self._poll_foreign, daemon=True).start()

    def _poll_foreign(self, interval: float = 2.0) -> None:
        while True:
            time.sleep(interval)
            with self._lock:
                if not self._waiting or self._procs or self._closing:
                    self._polling = False
                    return
            self._pump()

    def _spawn(self, run: Run) -> subprocess.Popen:
        out = open(RunFolder(run.run_dir).stdout_file, "ab")
        # The child gets an allow-listed environment: none of the server's secrets (its login,
        # keys, database URLs), and the Hub token only in local mode for a Hub model.
        cfg = RunFolder(run.run_dir).config()
        env = {**child_environment(hosting.current().hosted, None,
                                   needs_hub=models.needs_hub_token(cfg.model.name)),
               "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        proc = self.backend.submit(run, self.command(run), env, str(ROOT), out.name)
        out.close()
        self.registry.update(run.id, status="running", pid=proc.pid)
        log.info("Started run %s (pid %s, %s)", run.id, proc.pid, self.backend.name)
        return proc

    def _watch(self, run_id: str) -> None:
        proc = self._procs.get(run_id)
        if proc is not None:
            proc.wait()
            if getattr(proc, "reason", ""):  # e.g. its cluster worker died: say so, if it did not
                self._mark_failed(run_id, proc.reason, getattr(proc, "reason_code", ""))
        self.registry.get(run_id)  # reconcile the registry with the event log
        self._pump()

    def _mark_failed(self, run_id: str, reason: str, code: str = "") -> None:
        from .events import EventWriter
        folder = self.registry.folder(run_id)
        if folder.final_event() is None:
            EventWriter(folder.events_file).emit("failed", step=None, reason=reason, code=code)
            self.registry.update(run_id, status="failed", reason=reason, finished=time.time())

    def stop(self, run_id: str, owner: str | None = None) -> StopResult:
        run = self.registry.get(run_id, owner)
        if run is None:  # someone else's run answers like one that does not exist
            return StopResult("not_running", f"No run {run_id}.")
        with self._lock:
            if run_id in self._waiting:
                self._waiting.remove(run_id)
        result = request_stop(self.registry, run)
        if result.outcome == "killed" and self.backend.remote:  # its child is not ours to kill
            self.backend.kill(run)
        return result

    def close(self, stop_runs: bool = False, wait: float = 0.0) -> list[str]:
        """Shutdown: start nothing more (waiting runs stay queued in the registry, and the next
        start picks them up). Children keep training unless `stop_runs`: then each is asked to
        stop through its stop marker, which the trainer honours at the next step by saving the
        model; this waits up to `wait` seconds for them. Returns the runs asked to stop."""
        with self._lock:
            self._closing = True
            procs = {rid: p for rid, p in self._procs.items() if p.poll() is None}
        if not stop_runs:
            return []
        for rid in procs:
            self.registry.folder(rid).request_stop()
        deadline = time.time() + wait
        for proc in procs.values():
            try:
                proc.wait(max(0.0, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass  # it still stops on its own: the marker stays until it does
        return list(procs)
