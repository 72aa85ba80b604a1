"""studio.jobs.preview: what a job would do, computed by the code a run uses, without weights."""
import pandas as pd
import pytest
import torch

from helpers import events_of, make_job, train_in_process
from studio import jobs
from studio.config import JobConfig
from studio.errors import ModelError
from studio.jobs.preview import build_skeleton, model_facts, preview
from studio.models import PRESETS, ensure_tiny


@pytest.mark.parametrize("model, data, task", [("tiny-bert", "sentiment.csv", "auto"),
                                               ("tiny-t5", "pairs.csv", "text2text")])
@pytest.mark.heavy
def test_preview_says_what_the_run_then_does(data_dir, workspace, model, data, task):
    cfg = make_job(data_dir / data, model, task, train__epochs=1, train__batch_size=16,
                   train__eval_strategy="no", train__eval_before="false")
    p = preview(cfg)
    code, run_dir, _ = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 0, events[-1]
    start = next(e for e in events if e["type"] == "start")
    assert (p.train_rows, p.validation_rows) == (start["train_rows"], start["validation_rows"])
    assert p.total_steps == start["total_steps"] == events[-1]["metrics"]["steps"]
    assert (p.parameters, p.trainable) == (start["parameters"], start["trainable"])
    assert p.cfg.digest() == start["config_digest"]  # the very config job.yaml records
    assert p.cfg == JobConfig.from_yaml(run_dir / "job.yaml")
    assert p.family == start["family"] and p.labels == (start["labels"] or [])


def test_preview_under_lora_counts_only_the_adapters(data_dir):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", method__method="lora")
    p = preview(cfg)
    plan = jobs.prepare(cfg)
    assert 0 < p.trainable < p.parameters / 10
    assert (p.parameters, p.trainable) == (plan.parameters, plan.trainable)
    assert p.cfg.method.lora_targets == "c_attn" and p.cfg.train.learning_rate == 2e-3
    d = p.to_dict()
    assert d["trainable"] == p.trainable and d["max_length"] == 256
    assert d["config"]["method"]["method"] == "lora"
    assert d["steps_per_epoch"] == p.steps_per_epoch and d["excluded_rows"] == 0


def test_preview_refuses_what_a_run_refuses(data_dir):
    with pytest.raises(ModelError) as err:
        preview(make_job(data_dir / "chat.json", "tiny-bert", "chat"))
    assert err.value.code == "bert_cannot_generate"


def test_preview_reads_a_changed_file_again(tmp_path):
    from conftest import toy_sentiment
    path = tmp_path / "grow.csv"
    pd.DataFrame(toy_sentiment(40)).to_csv(path, index=False)
    first = preview(make_job(path, "tiny-bert"))
    pd.DataFrame(toy_sentiment(80)).to_csv(path, index=False)
    second = preview(make_job(path, "tiny-bert"))
    assert first.train_rows + first.validation_rows == 40
    assert second.train_rows + second.validation_rows == 80


def test_skeleton_has_the_jobs_head_and_no_weights():
    cfg = JobConfig(task="classification")
    skel = build_skeleton(str(ensure_tiny("tiny-bert")), cfg, "bert", ["a", "b", "c"])
    assert type(skel).__name__ == "BertForSequenceClassification"
    assert skel.config.num_labels == 3
    assert all(p.device == torch.device("meta") for p in skel.parameters())
    gen = build_skeleton(str(ensure_tiny("tiny-t5")), JobConfig(task="chat"), "t5", [])
    assert type(gen).__name__ == "T5ForConditionalGeneration"


def test_model_facts_for_the_model_step():
    facts = model_facts("tiny-gpt", "chat")
    assert facts.family == "gpt" and facts.untrained and facts.preset is PRESETS["tiny-gpt"]
    assert 0 < facts.lora_trainable < facts.parameters
    assert facts.max_length == 256 and facts.name == "tiny-gpt"
    bert = model_facts(" tiny-bert ")
    assert bert.name == "tiny-bert" and bert.family == "bert" and bert.max_length == 128
    with pytest.raises(ModelError) as err:
        model_facts("tiny-bert", "chat")
    assert err.value.code == "bert_cannot_generate"
    with pytest.raises(ModelError) as err:
        model_facts("no-such-model")
    assert err.value.code == "unknown_model"
