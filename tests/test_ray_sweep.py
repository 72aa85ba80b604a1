"""A sweep on the Ray backend: the candidates train at once on the cluster, and the leaderboard
is the one the local sweep gives for the same seed and split."""
import pytest

from helpers import make_job

ray = pytest.importorskip("ray")


def rows(registry):
    """The leaderboard as a user reads it: per candidate its label, score, rows, gain (not the
    star: between tied scores it may go by time, which differs from run to run)."""
    from studio import leaderboard
    return sorted((e.label, round(e.score.value, 4), e.score.n,
                   None if e.gain is None else round(e.gain, 4))
                  for g in leaderboard.board(registry, owner=None) for e in g.entries)


def losses(registry):
    """Each candidate's final training loss, by its name."""
    return {r.name: round(r.metrics["train_loss"], 6)
            for r in registry.list()}


@pytest.mark.slow
def test_a_sweep_on_ray_gives_the_local_leaderboard(data_dir, tmp_path):
    from studio.backends.follow import sweep_on_cluster
    from studio.runs import Registry
    from studio.sweep.foreground import run_foreground
    from studio.sweep.progress import progress
    base = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=4,
                    train__batch_size=4, train__seed=7)
    grid = {"train.learning_rate": ["1e-4", "5e-4"], "train.batch_size": ["4", "8"]}
    local = Registry(tmp_path / "local")
    run_foreground(local, base, grid, say=lambda text: None)
    ray.init(num_cpus=2, include_dashboard=False, namespace="studio", log_to_driver=False,
             _node_ip_address="127.0.0.1")
    try:
        on_ray = Registry(tmp_path / "ray")
        said = []
        sweep = sweep_on_cluster(on_ray, base, grid, None, "auto", say=said.append)
    finally:
        ray.shutdown()
    assert [line.status for line in progress(on_ray, sweep.id)] == ["done"] * 4, said
    assert len(rows(local)) == 4 and rows(on_ray) == rows(local), (rows(on_ray), rows(local))
    # Tiny models tie on accuracy: the training losses show the runs really are the same.
    assert losses(on_ray) == losses(local) and len(set(losses(local).values())) == 4
    assert "on the Ray cluster" in said[0] and len(said) == 5  # a line per candidate as it ends
