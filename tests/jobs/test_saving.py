"""studio.jobs.saving: the model folder inference loads, and the checkpoint to resume from."""
import json
from types import SimpleNamespace

from studio.config import JobConfig
from studio.jobs import last_checkpoint, save_model
from studio.runfolder import RunFolder


def test_last_checkpoint_by_step_number_not_by_name(tmp_path):
    assert last_checkpoint(tmp_path) is None
    for step in (9, 10, 2):
        (tmp_path / "checkpoints" / f"checkpoint-{step}").mkdir(parents=True)
    assert last_checkpoint(tmp_path) == tmp_path / "checkpoints" / "checkpoint-10"


class Saver:
    def __init__(self):
        self.saved = []

    def save_pretrained(self, target):
        self.saved.append(target)


def plan_and_trainer(task="classification", main=True):
    cfg = JobConfig(task=task)
    cfg.model.name, cfg.method.method = "tiny-bert", "lora"
    cfg.train.max_length, cfg.data.system_prompt = 96, "Be brief."
    plan = SimpleNamespace(cfg=cfg, family="bert", location="/models/tiny-bert",
                           tokenizer=Saver(), data=SimpleNamespace(labels=["neg", "pos"]))
    trainer = SimpleNamespace(model=Saver(), is_world_process_zero=lambda: main)
    return plan, trainer


def test_save_model_writes_what_inference_needs(tmp_path):
    plan, trainer = plan_and_trainer()
    target = tmp_path / "model"
    save_model(trainer, plan, target)
    assert trainer.model.saved == [target] and plan.tokenizer.saved == [target]
    info = json.loads((target / RunFolder.MODEL_INFO).read_text())
    assert info == {"task": "classification", "family": "bert", "method": "lora",
                    "base_model": "tiny-bert", "base_location": "/models/tiny-bert",
                    "labels": ["neg", "pos"], "max_length": 96, "system_prompt": "Be brief."}
    labels = json.loads((target / "labels.json").read_text())
    assert labels == {"id2label": {"0": "neg", "1": "pos"}}


def test_generation_models_have_no_labels_file(tmp_path):
    plan, trainer = plan_and_trainer("chat")
    save_model(trainer, plan, tmp_path / "model")
    assert (tmp_path / "model" / RunFolder.MODEL_INFO).exists()
    assert not (tmp_path / "model" / "labels.json").exists()


def test_only_the_main_process_saves(tmp_path):
    plan, trainer = plan_and_trainer(main=False)
    save_model(trainer, plan, tmp_path / "model")
    assert not (tmp_path / "model").exists() and trainer.model.saved == []
