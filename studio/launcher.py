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
from .errors import ConfigError, RunError, StudioError
from .runs import ACTIVE, Registry, Run, RunFolder

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]


class JobQueue:
    def __init__(self, registry: Registry, max_parallel: int = 1, python: str = sys.executable):
        self.registry = registry
        self.max_parallel = max(1, max_parallel)
        self.python = python
        self._waiting: list[str] = []
        self._procs: dict[str, subprocess.Popen] = {}
        self._lock = threading.Lock()
        self._polling = False
        self._closing = False  # set on shutdown: nothing new starts
        self._adopt_queued()

    def _adopt_queued(self) -> None:
        """Runs left queued by a previous server keep their place in line."""
        for run in sorted(self.registry.list(), key=lambda r: r.created):
            if run.status == "queued":
                self._waiting.append(run.id)
        self._pump()

    def command(self, run: Run) -> list[str]:
        """The folder's train command; a job on N > 1 devices runs it under torchrun, one
        process per device (rank 0 writes the events and the registry)."""
        folder = RunFolder(run.run_dir)
        argv = folder.train_command(self.registry.workspace, self.python)
        devices = folder.config().train.devices if folder.job_file.exists() else 1
        return torchrun_command(argv[0], devices, argv[1:]) if devices > 1 else argv

    def submit(self, cfg: JobConfig, owner: str = "") -> Run:
        """Queue a job for `owner` ("" in local mode); the policy's limits are checked first."""
        cfg.validate()
        policy = hosting.current()
        hosting.check_job(cfg, policy, models.PRESETS)
        if policy.hosted and cfg.train.devices > 1:  # one visitor, one process
            raise ConfigError("This hosted studio trains each job in one process; set Devices "
                              "(train.devices) to 1.", "hosted_devices")
        if policy.max_jobs_per_owner and owner:
            active = [r for r in self.registry.list(200, owner=owner) if r.status in ACTIVE]
            if len(active) >= policy.max_jobs_per_owner:
                raise RunError(f"You already have {len(active)} job(s) queued or training; "
                               f"wait for it to finish or stop it first.", "owner_job_limit",
                               count=len(active))
        self.registry.require_writable("start a run")
        self._check_space(cfg)
        run = self.registry.new_run(cfg, owner=owner)
        with self._lock:
            self._waiting.append(run.id)
        self._pump()
        return self.registry.get(run.id) or run

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
        CLI) leave the line first."""
        with self._lock:
            waiting = list(self._waiting)
        gone = [rid for rid in waiting if (r := self.registry.get(rid)) is None
                or r.status != "queued"]
        if gone:
            with self._lock:
                self._waiting = [rid for rid in self._waiting if rid not in gone]
                waiting = list(self._waiting)
        return waiting.index(run_id) + 1 if run_id in waiting else 0

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
            busy = len(self._procs) + sum(1 for r in self.registry.list(50)
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
        # The child gets none of the server's secrets (its login, tokens) unless its Hub download
        # needs the Hub token: a model's code or a crafted job must find nothing to steal.
        cfg = RunFolder(run.run_dir).config()
        env = {**hosting.child_environment(dict(os.environ), models.needs_hub_token(cfg.model.name)),
               "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(self.command(run), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=str(ROOT), env=env,
                                start_new_session=True)
        out.close()
        self.registry.update(run.id, status="running", pid=proc.pid)
        log.info("Started run %s (pid %s)", run.id, proc.pid)
        return proc

    def _watch(self, run_id: str) -> None:
        proc = self._procs.get(run_id)
        if proc is not None:
            proc.wait()
        self.registry.get(run_id)  # reconcile the registry with the event log
        self._pump()

    def stop(self, run_id: str, owner: str | None = None) -> StopResult:
        run = self.registry.get(run_id, owner)
        if run is None:  # someone else's run answers like one that does not exist
            return StopResult("not_running", f"No run {run_id}.")
        with self._lock:
            if run_id in self._waiting:
                self._waiting.remove(run_id)
        return request_stop(self.registry, run)

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
