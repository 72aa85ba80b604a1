"""The Ray backend: Ray places each run's child on a node with room for it; it does not train.

Each run is one detached Ray actor that starts the same `python -m studio train RUN/job.yaml`
child as the local queue, so the run folder (on storage every node sees) stays the truth: the
page follows its events.jsonl, Stop's marker file reaches it, its model lands in it.

Why an actor and not a plain task: a task belongs to the driver that submitted it and dies
with it, so an app restart could never re-attach; a detached actor, named after the run, keeps
training and is found again by name. Its Ray ids are kept in `RUN/cluster.json`. The second
Stop kills it (`ray.kill`, Ray's force-cancel for actors); the child was started with the
kernel's parent-death signal, so it dies with its worker.

The actor and the workspace check are built inside functions, so Ray ships them by value:
a worker needs no copy of this module, only the studio at the same path for the child.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from . import Backend
from ..errors import ConfigError

log = logging.getLogger(__name__)
NAMESPACE = "studio"
RECORD = "cluster.json"
MARKER = ".cluster-check"
# Machine-specific variables come from the node the child runs on (its GPUs as Ray assigned
# them, its thread share, its paths), the job's own settings from the studio.
NODE_KEYS = ("CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS", "PATH", "HOME", "TMPDIR",
             "VIRTUAL_ENV", "LD_LIBRARY_PATH")
WORKER_DIED = ("The cluster worker training this run died before the run finished (the node "
               "was lost, or its process was killed or ran out of memory); see stdout.log in "
               "the run folder, then start it again or resume it.")
GONE = ("The cluster no longer has this run's worker and the run did not finish (it ended "
        "while the studio was not running); see stdout.log in the run folder.")


def _ray():
    try:
        import ray
    except ImportError:
        raise ConfigError(code="cluster_no_ray") from None
    return ray


def actor_name(run_id: str) -> str:
    return f"studio-run-{run_id}"


def record_of(run_dir) -> dict:
    try:
        return json.loads(Path(run_dir, RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class RayBackend(Backend):
    name = "ray"
    remote = True

    def __init__(self, address: str):
        self.address = address
        ray = _ray()
        resources = ray.cluster_resources()
        self.gpus = resources.get("GPU", 0) > 0  # runs ask for GPUs only where there are some
        self.max_parallel = max(1, int(resources.get("CPU", 1)))
        self._actor_class = _make_actor_class(ray)

    @classmethod
    def connect(cls, address: str, workspace=None) -> "RayBackend":
        """Join the cluster at `address` (ray://HOST:10001, or auto: the cluster running on this
        machine); reuses a connection this process already has. Checks the workspace."""
        ray = _ray()
        if not ray.is_initialized():
            try:
                ray.init(address=address, namespace=NAMESPACE, log_to_driver=False,
                         logging_level=logging.WARNING)
            except Exception as e:  # noqa: BLE001 - Ray raises many kinds: one sentence
                detail = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
                raise ConfigError(code="cluster_connect", address=address,
                                  detail=detail) from None
        backend = cls(address)
        if workspace is not None:
            check_shared(ray, Path(workspace))
        return backend

    # ---- one run ---------------------------------------------------------------------------
    def resources(self, run) -> dict:
        """Ray resources of one run: a CPU a process, GPUs = train.devices when the cluster has
        GPUs, and on a CPU the memory the planner predicts (Ray places it where that is free)."""
        from ..runs import RunFolder
        cfg = RunFolder(run.run_dir).config()
        devices = max(1, int(cfg.train.devices or 1))
        options = {"num_cpus": devices, "num_gpus": devices if self.gpus else 0}
        if not self.gpus and (peak := predicted_bytes(cfg)):
            options["memory"] = peak
        return options

    def submit(self, run, argv, env, cwd, stdout_path):
        record = Path(run.run_dir, RECORD)
        record.unlink(missing_ok=True)  # a resumed run's old record says nothing now
        options = self.resources(run)
        env = {k: v for k, v in env.items() if k != "STUDIO_CLUSTER"}  # the child trains here
        env["STUDIO_CLUSTER_RUN"] = "1"  # so it does not record its pid (studio.training)
        actor = self._actor_class.options(
            name=actor_name(run.id), namespace=NAMESPACE, lifetime="detached",
            max_restarts=0, max_concurrency=4, **options,
        ).remote(list(argv), dict(env), cwd, str(stdout_path), str(record), sys.executable)
        info = {"backend": "ray", "address": self.address, "actor": actor_name(run.id),
                "namespace": NAMESPACE, "actor_id": actor._actor_id.hex(),
                "resources": options, "submitted": time.time()}
        Path(run.run_dir, "cluster-submit.json").write_text(json.dumps(info), encoding="utf-8")
        log.info("Run %s submitted to the Ray cluster as actor %s (%s)", run.id,
                 info["actor_id"], options)
        return RayHandle(actor, run.run_dir)

    def reattach(self, run):
        """The handle of a run a previous server left on the cluster; a run whose actor is gone
        comes back as an ended handle (its exit code, or GONE)."""
        if not Path(run.run_dir, "cluster-submit.json").exists():
            return None  # not a cluster run: the registry follows it through its pid
        ray = _ray()
        try:
            actor = ray.get_actor(actor_name(run.id), namespace=NAMESPACE)
        except ValueError:
            return EndedHandle(run.run_dir)
        return RayHandle(actor, run.run_dir)

    def kill(self, run) -> bool:
        ray = _ray()
        try:
            ray.kill(ray.get_actor(actor_name(run.id), namespace=NAMESPACE), no_restart=True)
        except ValueError:
            return False
        return True


class RayHandle:
    """A run on the cluster, with the Popen methods the queue uses."""
    pid = None

    def __init__(self, actor, run_dir):
        import ray
        self._ray, self.actor, self.run_dir = ray, actor, run_dir
        self._done = actor.wait.remote()  # answers when the child exits (or the actor dies)
        self.returncode: int | None = None
        self.reason = self.reason_code = ""

    def poll(self):
        if self.returncode is None:
            ready, _ = self._ray.wait([self._done], timeout=0)
            if ready:
                self._finish()
        return self.returncode

    def wait(self, timeout: float | None = None):
        if self.returncode is None:
            ready, _ = self._ray.wait([self._done], timeout=timeout)
            if not ready:
                raise subprocess.TimeoutExpired("ray actor", timeout)
            self._finish()
        return self.returncode

    def _finish(self) -> None:
        try:
            self.returncode = int(self._ray.get(self._done))
        except Exception:  # noqa: BLE001 - the actor died: its record says whether the child ended
            code = record_of(self.run_dir).get("exit")
            self.returncode = int(code) if code is not None else -9
            self.reason = "" if code is not None else WORKER_DIED
            self.reason_code = "" if code is not None else "cluster_worker_died"
        try:
            self._ray.kill(self.actor, no_restart=True)  # give its CPUs and GPUs back
        except Exception:  # noqa: BLE001 - already gone
            pass


class EndedHandle:
    """A cluster run that ended while no studio watched it."""
    pid = None

    def __init__(self, run_dir):
        code = record_of(run_dir).get("exit")
        self.returncode = int(code) if code is not None else -9
        self.reason = "" if code is not None else GONE
        self.reason_code = "" if code is not None else "cluster_run_gone"

    def poll(self):
        return self.returncode

    def wait(self, timeout=None):
        return self.returncode


def predicted_bytes(cfg) -> int | None:
    """The planner's peak for the job (studio.jobs.memory_plan), or None when it cannot say."""
    try:
        from ..jobs import plan_memory
        return int(plan_memory(cfg, budget_bytes=1 << 60).estimate.total)
    except Exception as e:  # noqa: BLE001 - no estimate only means no memory request
        log.info("No memory estimate for the cluster request: %s", e)
        return None


def check_shared(ray, workspace: Path, timeout: float = 120.0) -> None:
    """Write a marker in the workspace and read it back on every node; refuse if one cannot."""
    workspace = workspace.resolve()
    workspace.mkdir(parents=True, exist_ok=True)
    marker = workspace / MARKER
    token = uuid.uuid4().hex
    marker.write_text(token, encoding="utf-8")
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
    read_back = ray.remote(num_cpus=0, max_retries=0)(_make_reader())
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    refs = [read_back.options(scheduling_strategy=NodeAffinitySchedulingStrategy(
        n["NodeID"], soft=False)).remote(str(marker)) for n in nodes]
    try:
        seen = ray.get(refs, timeout=timeout)
    except Exception as e:  # noqa: BLE001
        raise ConfigError(code="cluster_check", detail=type(e).__name__) from None
    finally:
        marker.unlink(missing_ok=True)
    for node, text in zip(nodes, seen):
        if text != token:
            raise ConfigError(code="cluster_workspace", workspace=str(workspace),
                              node=node.get("NodeManagerAddress", "?"))


def _make_reader():
    def read_marker(path):
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except OSError:
            return None
    return read_marker


def _make_actor_class(ray):
    """The run actor, defined here so Ray pickles it by value (stdlib only inside)."""

    def _die_with_parent():
        """In the child before exec: SIGKILL when the worker thread that started it ends."""
        import ctypes
        import signal
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PDEATHSIG
        except OSError:
            pass
        os.setsid()  # its own session, as a local child: a terminal's Ctrl-C is not its stop

    class StudioRun:
        def __init__(self, argv, env, cwd, stdout_path, record_path, driver_python):
            import threading
            self.record_path = record_path
            env = dict(env)
            for key in NODE_KEYS:
                if key in os.environ:
                    env[key] = os.environ[key]
            if argv and argv[0] == driver_python:
                argv = [sys.executable, *argv[1:]]  # this node's Python, same version
            self._started = threading.Event()
            self._ended = threading.Event()
            self.proc = None
            self.code = None
            # The thread that forks the child is the one that waits for it: the parent-death
            # signal fires when that thread ends, so it must live as long as the child.
            threading.Thread(target=self._run, args=(argv, env, cwd, stdout_path),
                             daemon=True).start()
            self._started.wait(60)

        def _run(self, argv, env, cwd, stdout_path):
            import socket
            try:
                with open(stdout_path, "ab") as out:
                    self.proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                                 stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                                                 preexec_fn=_die_with_parent)
            except OSError as e:
                self.code = 127
                with open(stdout_path, "a", encoding="utf-8") as out:
                    out.write(f"could not start the training command: {e}\n")
            self._write({"node": socket.gethostname(), "worker_pid": os.getpid(),
                         "child_pid": self.proc.pid if self.proc else None})
            self._started.set()
            if self.proc is not None:
                self.code = self.proc.wait()
            self._write({"exit": self.code, "ended": time.time()})
            self._ended.set()

        def _write(self, fields):
            try:
                with open(self.record_path, encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError):
                data = {}
            data.update(fields)
            tmp = self.record_path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(data, f)
            os.replace(tmp, self.record_path)

        def info(self):
            return {"worker_pid": os.getpid(), "child_pid": self.proc and self.proc.pid}

        def wait(self):
            self._ended.wait()
            return self.code

    return ray.remote(StudioRun)


