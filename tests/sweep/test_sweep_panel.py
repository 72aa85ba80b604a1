"""components.sweep_panel: the count on the Start button, starting for an owner, the lines."""
import re
from pathlib import Path

from fakes import FakeQueue
from components import sweep_panel
from studio.runs import Registry

SAMPLE = Path(__file__).resolve().parents[2] / "assets" / "samples" / "reviews_sentiment.csv"
DATA = {"path": str(SAMPLE), "validation_path": "", "task": "classification", "valid": True}


def test_presets_offered_are_the_ones_that_can_learn_the_task():
    chat = [name for _, name in sweep_panel.model_choices("chat")]
    assert "tiny-gpt" in chat and "tiny-t5" in chat and "tiny-bert" not in chat
    assert "tiny-bert" in [name for _, name in sweep_panel.model_choices("classification")]


def test_grid_items_from_the_choices():
    assert sweep_panel.grid_items(["tiny-bert"], "org/model, ./local", "5e-5，1e-4", "",
                                  ["full", "lora"]) == [
        "model.name=tiny-bert,org/model,./local", "train.learning_rate=5e-5,1e-4",
        "method.method=full,lora"]


def test_count_names_the_runs_and_labels_the_button():
    out = sweep_panel.count(DATA, {}, "en", [], [], (["tiny-bert", "tiny-gpt"], "",
                                                     "5e-5, 1e-4", "", []))
    assert out["count"].startswith("4 runs: tiny-bert · lr 5e-5; tiny-bert · lr 1e-4;")
    assert out["start"]["value"] == "Start 4 runs" and out["start"]["interactive"] is True
    zh = sweep_panel.count(DATA, {}, "zh-CN", [], [], (["tiny-bert"], "", "5e-5,x", "", []))
    assert zh["start"]["interactive"] is False and "学习率" in zh["count"]
    none = sweep_panel.count(DATA, {}, "en", [], [], ([], "", "", "", []))
    assert "Tick at least one model" in none["count"]


def test_start_queues_for_the_owner_and_shows_one_line_per_candidate(tmp_path):
    registry = Registry(tmp_path)
    queue = FakeQueue(registry)
    out = sweep_panel.start(queue, DATA, {}, "en", [], [], (["tiny-bert", "tiny-gpt"], "", "",
                                                            "1", []), None, "alice")
    assert out["message"] == "✔ Queued 2 runs; they train one after another on the same split."
    assert [registry.get(r).owner for r in queue.submitted] == ["alice", "alice"]
    lines = re.findall(r'data-status="(\w+)">([^<]*)<', out["lines"])
    assert lines == [("queued", "tiny-bert — queued — step 0/12 "),
                     ("queued", "tiny-gpt — queued — step 0/12 ")]
    assert sweep_panel.lines_html(registry, out["sweep_id"], "en", "mallory") == ""
    refused = sweep_panel.start(queue, DATA, {}, "en", [], [], (["tiny-bert"], "nope-model",
                                                                "", "", []), None, "alice")
    assert refused["message"].startswith("✖ ") and "nope-model" in refused["message"]
    assert "sweep_id" not in refused and len(queue.submitted) == 2


def test_the_sweep_starts_from_the_train_steps_settled_job():
    """A setting left over from another model (packing, set for a BERT job) is put back for a
    T5 model by the Train step; the sweep's base job is that same settled job."""
    from components import form
    from components.model_step import model_info
    t5 = model_info("tiny-t5", DATA, "en")["model_state"]
    paths, values = ["train.packing"], [True]
    settled, notes = form.settled_job(DATA, t5, dict(zip(paths, values)))
    assert settled.train.packing is None and notes  # the Train step's rule
    base, _ = sweep_panel.base_and_grid(DATA, t5, paths, values, (["tiny-t5"], "", "", "", []))
    assert base == settled


def test_each_candidate_is_settled_for_its_own_model(tmp_path):
    registry = Registry(tmp_path)
    queue = FakeQueue(registry)
    out = sweep_panel.start(queue, DATA, {}, "en", ["train.packing"], [True],
                            (["tiny-bert", "tiny-t5"], "", "", "1", []), None, "alice")
    assert out["message"].startswith("✔ Queued 2 runs"), out["message"]
    jobs = {registry.get(r).model: registry.folder(r).config() for r in queue.submitted}
    assert jobs["tiny-bert"].train.packing is True   # applies to BERT classification
    assert jobs["tiny-t5"].train.packing is None     # does not apply to T5: back to default
