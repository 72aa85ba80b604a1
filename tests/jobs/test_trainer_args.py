"""studio.jobs.trainer_args: the resolved job as TrainingArguments, and its step count."""
import pytest
from transformers import EarlyStoppingCallback

from helpers import events_of, make_job, train_in_process
from studio.config import JobConfig
from studio.jobs import extra_callbacks, steps_per_epoch, total_steps, training_arguments


def job(**train) -> JobConfig:
    cfg = JobConfig(task="classification")
    cfg.train.learning_rate, cfg.train.precision = 1e-3, "fp32"
    for k, v in train.items():
        setattr(cfg.train, k, v)
    return cfg


@pytest.mark.parametrize("rows, train, per_epoch, total", [
    (100, dict(batch_size=16, epochs=1), 7, 7),
    (100, dict(batch_size=16, epochs=2.5), 7, 18),           # ceil(7 * 2.5)
    (96, dict(batch_size=16, grad_accum=2, epochs=1), 3, 3),  # 6 batches, 2 per step
    (5, dict(batch_size=16, epochs=0.01), 1, 1),              # never zero
    (100, dict(batch_size=16, max_steps=4), 7, 4),            # max_steps wins
])
def test_step_arithmetic(rows, train, per_epoch, total):
    cfg = job(**train)
    assert steps_per_epoch(cfg, rows) == per_epoch
    assert total_steps(cfg, rows) == total


def test_every_rank_takes_its_share_of_the_rows():
    cfg = job(batch_size=16, epochs=1)
    assert steps_per_epoch(cfg, 100, world=2) == 4  # ceil(100 / 32)
    assert total_steps(cfg, 100, world=2) == 4


@pytest.mark.parametrize("grad_accum", [1, 3])
@pytest.mark.heavy
def test_total_steps_is_what_the_trainer_runs(data_dir, workspace, grad_accum):
    """216 training rows in batches of 16 are 14 batches; with 3 batches per optimizer step
    the Trainer takes ceil(14 / 3) = 5 steps an epoch (the last step has 2 batches)."""
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__epochs=1,
                   train__batch_size=16, train__grad_accum=grad_accum,
                   train__eval_strategy="no", train__eval_before="false",
                   train__logging_steps=1)
    code, run_dir, _ = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 0, events[-1]
    start = next(e for e in events if e["type"] == "start")
    steps = [e["step"] for e in events if e["type"] == "log"]
    assert start["train_rows"] == 216
    assert start["total_steps"] == steps[-1] == events[-1]["metrics"]["steps"]
    etas = [e["eta"] for e in events if e["type"] == "log"]
    # no ETA from the first log alone (warm-up is not pace, studio.pace), then one each log
    assert etas[0] is None and all(eta >= 0 for eta in etas[1:])


def test_training_arguments_follow_the_job(tmp_path):
    cfg = job(batch_size=8, grad_accum=2, epochs=2, warmup_ratio=0.1, eval_strategy="steps",
              eval_steps=5, scheduler="cosine", seed=7, optimizer="adamw_torch")
    args = training_arguments(cfg, tmp_path, rows=1000, has_eval=True)
    assert args.output_dir == str(tmp_path / "checkpoints")
    assert (args.per_device_train_batch_size, args.per_device_eval_batch_size) == (8, 16)
    assert args.gradient_accumulation_steps == 2 and args.num_train_epochs == 2
    assert args.learning_rate == 1e-3 and args.seed == 7 and args.optim == "adamw_torch"
    assert args.lr_scheduler_type == "cosine" and args.warmup_steps == 0.1
    assert args.eval_strategy == "steps" and args.eval_steps == 5
    assert args.save_strategy == "steps" and args.save_steps == 5 and args.save_total_limit == 1
    assert args.logging_steps == 2  # 124 steps: about 50 log points, every 2 steps
    assert not args.load_best_model_at_end
    assert not args.bf16 and not args.fp16 and args.report_to == []
    assert args.train_sampling_strategy == "group_by_length"


def test_no_validation_means_no_evaluation_and_no_checkpoints(tmp_path):
    args = training_arguments(job(), tmp_path, rows=100, has_eval=False)
    assert args.eval_strategy == "no" and args.save_strategy == "no"
    off = training_arguments(job(save_checkpoints=False), tmp_path, rows=100, has_eval=True)
    assert off.eval_strategy == "epoch" and off.save_strategy == "no"


def test_early_stopping_keeps_the_best_model(tmp_path):
    cfg = job(early_stopping_patience=2, eval_strategy="epoch")
    args = training_arguments(cfg, tmp_path, rows=100, has_eval=True)
    assert args.load_best_model_at_end and args.metric_for_best_model == "eval_loss"
    assert args.save_total_limit == 2
    (cb,) = extra_callbacks(cfg)
    assert isinstance(cb, EarlyStoppingCallback) and cb.early_stopping_patience == 2
    assert extra_callbacks(job(early_stopping_patience=2, eval_strategy="no")) == []
    assert extra_callbacks(job()) == []


def test_packed_batches_stay_random_and_logging_steps_can_be_set(tmp_path):
    args = training_arguments(job(packing=True, logging_steps=3), tmp_path, 100, True)
    assert args.train_sampling_strategy == "random" and args.logging_steps == 3
    plain = training_arguments(job(group_by_length=False), tmp_path, 100, True)
    assert plain.train_sampling_strategy == "random"
    assert training_arguments(job(), tmp_path, 10, True).logging_steps == 1


def test_precision_flags(tmp_path):
    assert training_arguments(job(precision="bf16"), tmp_path, 100, True).bf16
