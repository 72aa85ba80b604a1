"""studio.sweep.candidates / launch.start: every candidate checked before anything is queued,
the task pinned, early stopping on, the sweep id recorded; the split is model-independent."""
import pytest

from fakes import FakeQueue
from studio.config import JobConfig
from studio.data import load_job_data
from studio.errors import ModelError, StudioError
from studio.runs import Registry
from studio.sweep import load, parse_grid, progress, start
from studio.sweep.candidates import SWEEP_PATIENCE, prepare


def job(path, task="auto") -> JobConfig:
    cfg = JobConfig(task=task)
    cfg.data.train_file = str(path)
    cfg.train.batch_size = 8
    cfg.train.epochs = 2
    return cfg


def test_prepare_pins_task_sweep_id_and_early_stopping(data_dir):
    grid = parse_grid(["model.name=tiny-bert,tiny-gpt", "train.learning_rate=5e-5,1e-4"])
    candidates = prepare(job(data_dir / "sentiment.csv"), grid, "sweep-x")
    assert len(candidates) == 4
    for c in candidates:
        assert c.cfg.task == "classification" and c.cfg.sweep == "sweep-x"
        assert c.cfg.train.early_stopping_patience == SWEEP_PATIENCE
        assert c.cfg.train.eval_strategy == "epoch" and c.cfg.train.save_checkpoints
        # 240 rows, 10% held out stratified: 216 train rows, 27 batches of 8, 2 epochs
        assert c.total_steps == 54


def test_a_job_that_sets_its_own_patience_keeps_it(data_dir):
    base = job(data_dir / "sentiment.csv")
    base.train.early_stopping_patience = 5
    (c,) = prepare(base, parse_grid(["model.name=tiny-bert"]), "s")
    assert c.cfg.train.early_stopping_patience == 5


def test_an_impossible_pair_refuses_the_whole_sweep_before_any_run(data_dir, tmp_path):
    registry = Registry(tmp_path / "ws")
    queue = FakeQueue(registry)
    grid = parse_grid(["model.name=tiny-gpt,tiny-bert"])
    with pytest.raises(ModelError) as info:
        start(queue, job(data_dir / "chat.json"), grid, drive=False)
    assert info.value.code == "bert_cannot_generate"
    assert str(info.value).startswith("BERT-family models cannot generate text")
    assert registry.list() == [] and queue.submitted == []
    assert not (registry.workspace / "sweeps").exists()


def test_an_unknown_model_refuses_the_sweep(data_dir, tmp_path):
    registry = Registry(tmp_path / "ws")
    with pytest.raises(StudioError, match="no-such-model"):
        start(FakeQueue(registry), job(data_dir / "sentiment.csv"),
              parse_grid(["model.name=tiny-bert,no-such-model"]), drive=False)
    assert registry.list() == []


def test_start_queues_every_candidate_in_order_and_records_the_sweep(data_dir, tmp_path):
    registry = Registry(tmp_path / "ws")
    queue = FakeQueue(registry)
    grid = parse_grid(["model.name=tiny-bert,tiny-gpt"])
    sweep = start(queue, job(data_dir / "sentiment.csv"), grid, owner="", drive=False)
    assert [registry.get(r).name for r in queue.submitted] == ["tiny-bert", "tiny-gpt"]
    assert [e.run_id for e in load(registry.workspace, sweep.id).entries] == queue.submitted
    for run_id in queue.submitted:
        assert registry.folder(run_id).config().sweep == sweep.id  # runs know their sweep
    lines = progress(registry, sweep.id)
    assert [(ln.name, ln.status, ln.step, ln.total) for ln in lines] == [
        ("tiny-bert", "queued", 0, 54), ("tiny-gpt", "queued", 0, 54)]
    assert lines[0].text().split() == ["tiny-bert", "queued", "0/54", "steps"]
    with pytest.raises(StudioError, match="No sweep"):
        progress(registry, sweep.id, owner="someone-else")


def test_the_split_does_not_depend_on_the_model(data_dir):
    """What `candidates` relies on: same data, fraction, seed and task -> the same held-out
    rows whatever the family (no tokenizer reads the rows before the split)."""
    cfg = job(data_dir / "sentiment.csv", task="classification")
    parts = [load_job_data(cfg, family=f) for f in ("bert", "gpt", "t5")]
    rows = [tuple(p.validation["_row"]) for p in parts]
    assert rows[0] == rows[1] == rows[2] and len(rows[0]) == 24
    chat = job(data_dir / "chat.json", task="chat")
    assert tuple(load_job_data(chat, family="gpt").validation["_row"]) == \
        tuple(load_job_data(chat, family="t5").validation["_row"])
