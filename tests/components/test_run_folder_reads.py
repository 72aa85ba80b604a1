"""The page reads run folders only through studio.runs.RunFolder: no file name of a run folder
is spelled out in components/, and the readers behave on a folder written by the engine's own
writers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from components import common, live, results, run_picker, try_step
from studio.events import EventWriter
from studio.runs import Registry, RunFolder

COMPONENTS = Path(__file__).resolve().parents[2] / "components"
FILE_NAMES = [r"events\.jsonl", r"metrics\.json", r"train\.log", r"studio\.json",
              r"(predictions|samples)_(before|after|{)", r"['\"]STOP['\"]"]


@pytest.mark.parametrize("path", sorted(p for p in COMPONENTS.glob("*.py")
                                        if not p.name.startswith("strings_")),
                         ids=lambda p: p.name)
def test_no_run_folder_file_name_in_components(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for pattern in FILE_NAMES:
            assert not re.search(pattern, line), f"{path.name}:{number}: {line.strip()}"


def test_the_role_table_is_the_engines():
    assert not hasattr(common, "ROLE_FIELDS")
    for name in ("tab_update", "resolved_defaults", "count_parameters", "read_new_lines",
                 "read_jsonl", "load_metrics"):
        for module in ("common", "form", "model_step", "live", "results", "i18n"):
            mod = __import__(f"components.{module}", fromlist=[name])
            assert not hasattr(mod, name), f"{module}.{name} should be gone"
    from components import i18n
    assert not hasattr(i18n, "warn")


def test_live_tail_reads_only_what_was_appended(tmp_path):
    folder = RunFolder(tmp_path)
    writer = EventWriter(folder.events_file)
    writer.emit("start", total_steps=4)
    writer.emit("log", step=1, loss=0.9, learning_rate=1e-4, epoch=0.25)
    folder.log_file.write_text("first line\npartial")
    tail, changed = live.advance(live.new_tail("r"), folder)
    assert changed and tail["offset"] == folder.events_file.stat().st_size
    assert tail["log"] == ["first line"] and tail["loss"] == [
        {"step": 1, "value": 0.9, "series": "train"}]
    again, changed = live.advance(tail, folder)
    assert not changed and again is tail
    writer.emit("eval", step=2, phase="during", metrics={"eval_loss": 0.7, "accuracy": 0.5})
    writer.emit("done", metrics={"accuracy": 0.5})
    with open(folder.log_file, "a") as f:
        f.write(" line\n")
    tail, changed = live.advance(tail, folder)
    assert changed and tail["final"]["type"] == "done"
    assert tail["log"] == ["first line", "partial line"]
    assert [p["series"] for p in tail["loss"]] == ["train", "eval"]
    assert tail["metric"] == [{"step": 2, "value": 0.5, "series": "accuracy"}]


def test_results_read_the_folder(tmp_path):
    folder = RunFolder(tmp_path)
    assert results.before_after(folder).empty and results.confusion_image(folder) is None
    folder.write_metrics({"before": {"accuracy": 0.5}, "after": {
        "accuracy": 0.75, "labels": ["neg", "pos"], "confusion_matrix": [[1, 1], [0, 2]]}})
    folder.write_outputs("predictions", "after", [
        {"row": 1, "text": "a", "label": "neg", "predicted": "pos", "confidence": 0.61234},
        {"row": 2, "text": "b", "label": "pos", "predicted": "pos", "confidence": 0.9}])
    folder.write_outputs("samples", "after", [{"prompt": "p", "reference": "r",
                                                "generated": "g"}] * 3)
    table = results.before_after(folder)
    assert table.to_dict("records") == [{"metric": "accuracy", "before": "0.5000",
                                         "after": "0.7500"}]
    wrong = results.misclassified(folder)
    assert wrong["row"].tolist() == [1] and wrong["confidence"].tolist() == [0.612]
    assert len(results.samples(folder, limit=2)) == 2
    assert results.labels(folder) == ["neg", "pos"]
    assert results.confusion_image(folder).size[0] > 100


def test_try_lists_only_runs_that_saved_a_model(tmp_path):
    from studio.config import JobConfig
    registry = Registry(tmp_path)
    cfg = JobConfig()
    cfg.data.train_file = "x.csv"
    with_model = registry.new_run(cfg, status="done")
    registry.new_run(cfg, status="done")  # finished without a model
    folder = registry.folder(with_model)
    folder.model_dir.mkdir()
    assert run_picker.run_choices(registry) == []
    (folder.model_dir / RunFolder.MODEL_INFO).write_text("{}")
    assert [v for _, v in run_picker.run_choices(registry)] == [with_model.id]
