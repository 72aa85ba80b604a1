"""Inference on trained runs (files, streaming, cache bound) and the job queue."""
import time

import pandas as pd

from helpers import make_job, train_in_process
from studio.inference import (ModelCache, chat_messages, evaluate_file, generate_stream,
                              load_run_model, predict_file)
from studio.launcher import JobQueue
from studio.runs import Registry


def test_generation_run_predicts_and_evaluates_files(data_dir, workspace, tmp_path):
    cfg = make_job(data_dir / "pairs.csv", "tiny-t5", train__max_steps=2)
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    lm = load_run_model(run_dir / "model")
    out = tmp_path / "pred.csv"
    rows = predict_file(lm, str(data_dir / "pairs.csv"), str(out), max_new_tokens=4)
    assert len(rows) == 96 and len(pd.read_csv(out)) == 96
    m = evaluate_file(lm, str(data_dir / "pairs.csv"))
    assert m["rows"] == 96 and m["eval_loss"] > 0 and {"bleu", "chrf", "rougeL"} <= set(m)


def test_streaming_yields_growing_text(data_dir, workspace):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", train__max_steps=2)
    code, run_dir, _ = train_in_process(cfg, workspace)
    lm = load_run_model(run_dir / "model")
    parts = list(generate_stream(lm, chat_messages(lm, "hello", system_prompt="Be brief."),
                                 max_new_tokens=12, temperature=0.8, top_p=0.9))
    assert parts and all(parts[i + 1].startswith(parts[i]) for i in range(len(parts) - 1))


def test_model_cache_keeps_at_most_capacity():
    cache = ModelCache(capacity=2)
    loads = []
    for key in ["a", "b", "a", "c", "a"]:
        cache.get((key,), lambda k=key: loads.append(k) or k)
    assert loads == ["a", "b", "c"]  # 'a' stayed (recently used), 'b' was dropped for 'c'
    assert len(cache._items) == 2


def test_queue_runs_one_at_a_time_and_cancels_waiting(data_dir, workspace):
    registry = Registry(workspace)
    queue = JobQueue(registry, max_parallel=1)
    first = queue.submit(make_job(data_dir / "sentiment.csv", "tiny-bert",
                                  train__max_steps=30, train__batch_size=4))
    second = queue.submit(make_job(data_dir / "sentiment.csv", "tiny-bert",
                                   train__max_steps=2))
    third = queue.submit(make_job(data_dir / "sentiment.csv", "tiny-bert",
                                  train__max_steps=2))
    assert queue.position(first.id) == 0 and queue.position(second.id) == 1
    assert queue.position(third.id) == 2
    assert queue.stop(third.id).outcome == "cancelled"
    deadline = time.time() + 240
    while time.time() < deadline:
        statuses = [registry.get(r.id).status for r in (first, second)]
        if all(s == "done" for s in statuses):
            break
        time.sleep(0.5)
    assert statuses == ["done", "done"], statuses
    assert registry.get(third.id).status == "stopped"
    a, b = registry.get(first.id), registry.get(second.id)
    assert b.started >= a.finished - 1  # the second waited for the first
