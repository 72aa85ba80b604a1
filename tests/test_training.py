"""studio.training: every task x family cell on tiny models; learning, LoRA, refusals, stops,
crash reporting."""
import json

import pytest
import torch

from helpers import events_of, losses, make_job, train_in_process
from studio.errors import ConfigError, DataError
from studio.events import FINAL_TYPES
from studio.runfolder import RunFolder
from studio.training import friendly_reason

CELLS = [("classification", "tiny-bert", "sentiment.csv"),
         ("classification", "tiny-gpt", "sentiment.csv"),
         ("classification", "tiny-t5", "sentiment.csv"),
         ("chat", "tiny-gpt", "chat.json"), ("chat", "tiny-t5", "messages.jsonl"),
         ("text2text", "tiny-gpt", "pairs.csv"), ("text2text", "tiny-t5", "pairs.csv")]


def check_events(events):
    types = [e["type"] for e in events]
    assert all("time" in e for e in events)
    assert types.count("start") == 1
    finals = [t for t in types if t in FINAL_TYPES]
    assert len(finals) == 1 and types[-1] == finals[0]
    start = events[types.index("start")]
    for key in ("config_digest", "parameters", "trainable", "train_rows", "total_steps"):
        assert start[key] not in (None, ""), key
    logs = [e for e in events if e["type"] == "log"]
    assert logs and all({"step", "epoch", "loss", "learning_rate", "elapsed"} <= set(e)
                        for e in logs)


@pytest.mark.parametrize("task, model, data", CELLS)
@pytest.mark.heavy
def test_every_cell_trains_and_saves(task, model, data, data_dir, workspace):
    cfg = make_job(data_dir / data, model, task, train__max_steps=3, train__batch_size=8)
    code, run_dir, registry = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 0, events[-1]
    check_events(events)
    assert events[-1]["type"] == "done"
    assert (run_dir / "model" / "studio.json").exists()
    info = json.loads((run_dir / "model" / "studio.json").read_text())
    assert info["task"] == task
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["before"] and metrics["after"]  # before vs after on the same validation rows
    if task == "classification":
        assert set(metrics["after"]) >= {"accuracy", "macro_f1", "per_class", "confusion_matrix"}
        assert json.loads((run_dir / "model" / "labels.json").read_text())["id2label"]
    else:
        assert set(metrics["after"]) >= {"eval_loss", "perplexity", "bleu", "chrf", "rougeL",
                                         "exact_match"}
    run = registry.get(run_dir.name)
    assert run.status == "done" and run.task == task and run.family == model.split("-")[1]
    start = next(e for e in events if e["type"] == "start")
    phases = [e["phase"] for e in events if e["type"] == "eval"]
    assert phases[0] == "before" and phases[-1] == "after"
    folder = RunFolder(run_dir)
    if task == "classification":  # one output row per validation example, before and after
        for phase in ("before", "after"):
            rows = folder.outputs("predictions", phase)
            assert len(rows) == start["validation_rows"]
            assert {"row", "text", "label", "predicted", "confidence"} <= set(rows[0])
    else:
        samples = folder.outputs("samples", "after")
        assert len(samples) == min(2, start["validation_rows"])  # train.generation_samples
        assert {"prompt", "reference", "generated"} <= set(samples[0])


@pytest.mark.parametrize("task, data", [("chat", "chat.json"), ("text2text", "pairs.csv"),
                                        ("auto", "chat.json")])
def test_bert_refuses_generation_before_training(task, data, data_dir, workspace):
    cfg = make_job(data_dir / data, "tiny-bert", task)
    code, run_dir, registry = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 1
    # nothing started: no start, log or eval event (a "stage" line may say what it tried)
    assert [e["type"] for e in events if e["type"] != "stage"] == ["failed"]
    assert events[0]["reason"].startswith("BERT-family models cannot generate text; pick a GPT "
                                          "or T5 model")
    assert registry.get(run_dir.name).status == "failed"


@pytest.mark.heavy
def test_classifier_learns_and_beats_chance(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__epochs=12,
                   train__eval_strategy="no")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    ls = losses(events_of(run_dir))
    assert sum(ls[-3:]) / 3 < sum(ls[:3]) / 3 - 0.2
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["after"]["accuracy"] >= 0.8 > metrics["before"]["accuracy"]


@pytest.mark.heavy
def test_same_seed_same_model_different_seed_different_head(data_dir, workspace):
    """train.seed covers the new classification head too, not only the data order."""
    from safetensors.torch import load_file

    def run(seed):
        cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=3,
                       train__eval_strategy="no", train__seed=seed)
        code, run_dir, _ = train_in_process(cfg, workspace)
        assert code == 0
        before = (run_dir / "predictions_before.jsonl").read_text()
        return before, load_file(run_dir / "model" / "model.safetensors")

    before_a, weights_a = run(7)
    before_b, weights_b = run(7)
    before_c, weights_c = run(8)
    assert before_a == before_b
    assert weights_a.keys() == weights_b.keys()
    assert all(torch.equal(weights_a[k], weights_b[k]) for k in weights_a)
    head = [k for k in weights_a if k.startswith("classifier.")]
    assert head and not all(torch.equal(weights_a[k], weights_c[k]) for k in head)


@pytest.mark.heavy
def test_seq2seq_loss_goes_down(data_dir, workspace):
    cfg = make_job(data_dir / "pairs.csv", "tiny-t5", train__epochs=6, train__batch_size=8)
    code, run_dir, _ = train_in_process(cfg, workspace)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert code == 0
    assert metrics["after"]["eval_loss"] < metrics["before"]["eval_loss"] - 0.5


@pytest.mark.heavy
def test_lora_changes_only_adapter_weights(data_dir, workspace):
    from peft import PeftModel
    from studio.models import ensure_tiny
    from studio.tasks import causal_lm
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", method__method="lora",
                   train__max_steps=4, method__lora_targets="c_attn")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    saved = list((run_dir / "model").glob("adapter_model.safetensors"))
    assert saved and not (run_dir / "model" / "model.safetensors").exists()
    base = causal_lm.load_model(str(ensure_tiny("tiny-gpt")), None)
    before = {k: v.clone() for k, v in base.state_dict().items()}
    tuned = PeftModel.from_pretrained(base, run_dir / "model")
    changed_lora = 0
    for name, value in tuned.named_parameters():
        if "lora_B" in name:
            changed_lora += int(value.abs().sum() > 0)  # lora_B starts at zero
    assert changed_lora > 0
    for name, value in tuned.base_model.model.state_dict().items():
        key = name.replace("base_layer.", "")
        if "lora_" not in name and key in before:
            assert torch.equal(value, before[key]), name


def test_crash_ends_as_failed_with_reason_and_log(data_dir, workspace, monkeypatch):
    from transformers import Trainer

    def boom(self, *a, **k):
        raise RuntimeError("simulated failure in a training step")
    monkeypatch.setattr(Trainer, "training_step", boom)
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=3)
    code, run_dir, registry = train_in_process(cfg, workspace)
    events = events_of(run_dir)
    assert code == 1 and events[-1]["type"] == "failed"
    assert "simulated failure" in events[-1]["reason"]
    assert "Traceback" in (run_dir / "train.log").read_text()
    assert registry.get(run_dir.name).status == "failed"


def test_out_of_memory_says_what_to_do(data_dir, workspace, monkeypatch):
    from transformers import Trainer

    def oom(self, *a, **k):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
    monkeypatch.setattr(Trainer, "training_step", oom)
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=3)
    code, run_dir, _ = train_in_process(cfg, workspace)
    reason = events_of(run_dir)[-1]["reason"]
    assert "out of memory" in reason and "batch_size" in reason


@pytest.mark.parametrize("error, reason, code, params", [
    (ConfigError("train.max_length is 900 ...", "max_length_over_model", value=900, limit=512),
     "train.max_length is 900 ...", "max_length_over_model", {"value": 900, "limit": 512}),
    (DataError("No column 'text'.", "missing_column", column="text"), "No column 'text'.",
     "missing_column", {"column": "text"}),
    (MemoryError(), "Training ran out of memory; lower train.batch_size or train.max_length, "
     "or use LoRA.", "out_of_memory", {}),
    (RuntimeError("CUDA out of memory. Tried to allocate 2 GiB"), "Training ran out of memory; "
     "lower train.batch_size or train.max_length, or use LoRA.", "out_of_memory", {}),
    (RuntimeError("\nshape mismatch\nmore lines"), "Training failed: shape mismatch (details "
     "in train.log).", "error", {"detail": "shape mismatch"}),
])
def test_friendly_reason(error, reason, code, params):
    assert friendly_reason(error) == (reason, code, params)


def test_a_long_unknown_error_is_cut_to_one_short_sentence():
    reason, code, params = friendly_reason(ValueError("x" * 1000))
    assert code == "error" and len(params["detail"]) == 300 and len(reason) < 350


def test_a_studio_error_fails_the_run_with_its_code_and_params(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_length=1000)
    code, run_dir, registry = train_in_process(cfg, workspace)
    (event,) = [e for e in events_of(run_dir) if e["type"] != "stage"]
    assert code == 1 and event["type"] == "failed"
    assert event["code"] == "max_length_over_model"
    assert event["params"] == {"value": 1000, "limit": 512, "model": "tiny-bert"}
    assert event["log"] == str(run_dir / "train.log")
    assert "Traceback" in (run_dir / "train.log").read_text()
    assert registry.get(run_dir.name).reason == event["reason"]


def test_a_stop_request_ends_at_the_next_step_with_the_model_saved(data_dir, workspace):
    from studio.runs import Registry
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=50,
                   train__eval_before="false")
    registry = Registry(workspace)
    run = registry.new_run(cfg)
    folder = registry.folder(run)
    folder.request_stop()
    from studio.training import run_job
    assert run_job(folder.path, registry) == 0
    final = folder.final_event()
    assert final["type"] == "stopped" and final["step"] == 1
    assert final["model_path"] == str(folder.model_dir) and folder.has_model()
    got = registry.get(run.id)
    assert got.status == "stopped" and got.reason.startswith("Stopped on request")
    assert not folder.metrics()  # no after-training evaluation for a stopped run


@pytest.mark.heavy
def test_resume_clears_the_old_stop_and_says_when_there_is_no_checkpoint(data_dir, workspace):
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=2,
                   train__eval_before="false", train__save_checkpoints="false")
    code, run_dir, registry = train_in_process(cfg, workspace)
    folder = RunFolder(run_dir)
    folder.request_stop()
    code, _, _ = train_in_process(cfg, workspace, resume_run=run_dir.name)
    assert code == 0 and not folder.stop_requested()
    assert any(e["type"] == "message" and e.get("code") == "no_checkpoint"
               for e in folder.events())
    assert registry.get(run_dir.name).status == "done"


def test_an_interrupt_stops_at_once_without_saving(data_dir, workspace, monkeypatch):
    from transformers import Trainer

    def interrupt(self, *a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(Trainer, "training_step", interrupt)
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=3,
                   train__eval_before="false")
    code, run_dir, registry = train_in_process(cfg, workspace)
    final = events_of(run_dir)[-1]
    assert code == 130 and final["type"] == "stopped" and final["model_path"] is None
    assert "not saved" in final["reason"]
    assert registry.get(run_dir.name).status == "stopped"
    assert not RunFolder(run_dir).has_model()


def test_a_full_disk_is_one_sentence_with_the_free_space(tmp_path):
    import errno as _errno

    from studio.runs import RunFolder
    from studio.training import friendly_reason
    folder = RunFolder(tmp_path / "ws" / "runs" / "r1")
    folder.path.mkdir(parents=True)
    for error in (OSError(_errno.ENOSPC, "No space left on device"),
                  RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 64")):
        reason, code, params = friendly_reason(error, folder)
        assert code == "disk_full" and "The disk is full" in reason
        assert params["free_mb"] >= 0 and str(tmp_path / "ws") in reason
    assert friendly_reason(ValueError("x"), folder)[1] == "error"
