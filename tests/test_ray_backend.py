"""The Ray backend of the job queue (studio.backends): a local Ray cluster in this process
(two CPUs, loopback only) trains the same `python -m studio train RUN/job.yaml` children."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_job, wait_for

ROOT = Path(__file__).resolve().parents[1]


def test_the_studio_never_imports_ray_without_a_cluster():
    code = ("import sys, app, studio.launcher, studio.cli, studio.backends, studio.sweep.launch, "
            "studio.sweep.commands; from studio.backends import make_backend; "
            "q = make_backend(None); print(q.name, 'ray' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "STUDIO_CLUSTER"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["local", "False"]


ray = pytest.importorskip("ray")


@pytest.mark.heavy
def test_no_cluster_at_the_address_is_refused_in_one_sentence(tmp_path):
    code = ("from studio.backends import make_backend\n"
            "try:\n    make_backend('auto', %r)\n"
            "except Exception as e:\n    print(type(e).__name__, e.code); print(e)" % str(tmp_path))
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}  # none runs here
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "ConfigError cluster_connect", out.stdout + out.stderr
    assert len(lines) == 2 and "ray start --head" in lines[1] and "Traceback" not in out.stdout


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, namespace="studio", log_to_driver=False,
             _node_ip_address="127.0.0.1")
    yield
    ray.shutdown()


def job(data_dir, steps, **more):
    return make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=steps,
                    train__batch_size=4, train__eval_before="false", **more)


def stepped(registry, run_id):
    """True once the run's child has logged a training step (it is training on the cluster)."""
    return any(e.get("type") == "log" for e in registry.folder(run_id).events())


def ended(registry, run_id):
    run = registry.get(run_id)
    return run if run.status in ("done", "failed", "stopped") else None


@pytest.mark.slow  # ~70 s on the shared 2-core machine
def test_cli_train_on_the_cluster_follows_the_run_to_done(cluster, data_dir, workspace, capsys):
    from studio import cli
    from studio.runs import Registry
    code = cli.main(["train", "--data", str(data_dir / "sentiment.csv"), "--model",
                     "tiny-bert", "train.max_steps=3", "train.batch_size=4", "train.threads=1",
                     "train.eval_before=false", "--cluster", "auto"])
    out = capsys.readouterr().out
    assert code == 0, out
    run = Registry(workspace).list()[0]
    assert run.status == "done" and run.pid is None  # its process is on the cluster, not here
    assert "on the Ray cluster" in out and "step 3/3" in out  # the events, echoed live
    submitted = json.loads(Path(run.run_dir, "cluster-submit.json").read_text())
    assert submitted["backend"] == "ray" and submitted["actor_id"]
    assert submitted["resources"]["num_cpus"] == 1 and submitted["resources"]["memory"] > 0
    assert json.loads(Path(run.run_dir, "cluster.json").read_text()).get("exit") in (0, None)


@pytest.mark.slow  # ~135 s on the shared 2-core machine
def test_page_queue_on_ray_stop_kill_and_reattach(cluster, data_dir, workspace):
    from studio.backends import make_backend
    from studio.backends.ray_backend import WORKER_DIED
    from studio.launcher import JobQueue
    from studio.runs import Registry
    registry = Registry(workspace)
    backend = make_backend("auto", registry.workspace)
    queue = JobQueue(registry, max_parallel=None, backend=backend)
    assert queue.max_parallel == 2  # the cluster's CPUs: both runs train at once
    to_stop, to_kill = queue.submit(job(data_dir, 3000)), queue.submit(job(data_dir, 3000))
    wait_for(lambda: stepped(registry, to_stop.id) and stepped(registry, to_kill.id),
             timeout=240, what="both runs to train")
    assert sorted(queue.running()) == sorted([to_stop.id, to_kill.id])

    # Stop asks through the run folder's marker: the child saves its model and ends stopped.
    assert queue.stop(to_stop.id).outcome == "asked"
    # A worker dies under the other: the run ends failed, saying so in a sentence.
    worker = wait_for(lambda: json.loads(Path(to_kill.run_dir, "cluster.json").read_text())
                      .get("worker_pid"), timeout=240, what="the worker's pid")
    os.kill(worker, signal.SIGKILL)
    stopped = wait_for(lambda: ended(registry, to_stop.id), timeout=240, what="the stop")
    failed = wait_for(lambda: ended(registry, to_kill.id), timeout=240, what="the failure")
    assert stopped.status == "stopped" and registry.folder(stopped).has_model()
    assert failed.status == "failed" and failed.reason == WORKER_DIED
    assert registry.folder(failed).final_event()["reason"] == WORKER_DIED

    # An app restart: a new queue object finds the run still on the cluster and follows it.
    third = queue.submit(job(data_dir, 3000))
    wait_for(lambda: stepped(registry, third.id), timeout=240, what="the third run to train")
    queue.close()
    restarted = JobQueue(registry, max_parallel=None, backend=make_backend("auto"))
    assert restarted.running() == [third.id]
    assert restarted.stop(third.id).outcome == "asked"
    assert restarted.stop(third.id).outcome == "killed"  # the second stop kills it on Ray
    wait_for(lambda: not restarted.running(), timeout=240, what="the kill")
    final = registry.get(third.id)
    assert final.status == "stopped" and "second stop" in final.reason
    with pytest.raises(ValueError):
        ray.get_actor(f"studio-run-{third.id}", namespace="studio")  # its resources are free


@pytest.mark.heavy
def test_a_workspace_the_nodes_cannot_read_is_refused(cluster, tmp_path, monkeypatch):
    from studio.backends import ray_backend
    from studio.errors import ConfigError
    monkeypatch.setattr(ray_backend, "_make_reader", lambda: (lambda path: None))
    with pytest.raises(ConfigError) as err:
        ray_backend.check_shared(ray, tmp_path / "ws")
    assert err.value.code == "cluster_workspace"
    assert "not shared with cluster node" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "ws" / ray_backend.MARKER).exists()  # the marker is cleaned up


def test_cli_stop_kills_a_cluster_run_through_ray(tmp_path, monkeypatch, capsys):
    """`python -m studio stop` twice: the second request kills the run on the cluster its
    folder names (the command has no queue to ask)."""
    from studio import cli
    from studio.backends import ray_backend
    from studio.runs import Registry
    registry = Registry(tmp_path)
    cfg = make_job(Path("/data/reviews.csv"), "tiny-bert")
    run = registry.new_run(cfg)
    registry.update(run.id, status="running")
    Path(run.run_dir, "cluster-submit.json").write_text(json.dumps(
        {"backend": "ray", "address": "ray://head:10001"}))
    killed = []

    class Cluster:
        def kill(self, r):
            killed.append(r.id)
            return True
    monkeypatch.setattr(ray_backend.RayBackend, "connect",
                        classmethod(lambda cls, address, workspace=None: (
                            killed.append(address), Cluster())[1]))
    assert cli.main(["stop", run.id, "--workspace", str(tmp_path)]) == 0
    assert killed == []  # the first request only asks
    assert cli.main(["stop", run.id, "--workspace", str(tmp_path)]) == 0
    assert killed == ["ray://head:10001", run.id]
    assert registry.get(run.id).status == "stopped"
    assert "Killed run" in capsys.readouterr().out
