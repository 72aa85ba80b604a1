"""The model card every export carries: Hub front matter, the data, every setting, before/after
metrics, the loss curve, intended use, limitations and code to load the model."""
import re

import pytest
import yaml
from PIL import Image

from studio.config import describe_fields
from studio.export import export
from studio.export.card import base_hub_id, front_matter
from studio.export.chart import draw_loss
from studio.runfolder import RunFolder


def card_of(path):
    text = (path / "README.md").read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    assert match, "the card starts with YAML front matter"
    return yaml.safe_load(match.group(1)), text


@pytest.mark.heavy
def test_classifier_card(bert_run):
    result = export(bert_run, "merged")
    meta, text = card_of(result.path)
    assert meta["library_name"] == "transformers"
    assert meta["pipeline_tag"] == "text-classification"
    assert {"fine-tuning-studio", "classification", "bert"} <= set(meta["tags"])
    assert "base_model" not in meta  # tiny-bert is not on the Hub
    cfg = RunFolder(bert_run).config()
    # The data: file name only (never a local folder), fingerprint, rows used and excluded.
    assert "`sentiment.csv`" in text and str(bert_run.parent.parent) not in text
    assert cfg.data.fingerprint in text
    assert f"Rows used: {cfg.data.rows_used}" in text
    assert f"rows excluded: {cfg.data.rows_excluded}" in text
    assert re.search(r"\| negative \| \d+ \| \d+ \|", text)  # label counts, train / validation
    # Every setting of job.yaml.
    for f in describe_fields(recorded=True):
        assert f"| `{f['path']}` |" in text, f["path"]
    # Before / after metrics from metrics.json.
    metrics = RunFolder(bert_run).metrics()
    acc = f"| accuracy | {metrics['before']['accuracy']:.4g} | {metrics['after']['accuracy']:.4g} |"
    assert acc in text
    for heading in ("## Training data", "## Training settings", "## Results", "## Loss curve",
                    "## Intended use", "## Limitations", "## How to use"):
        assert heading in text
    assert "untrained test model" in text
    assert 'pipeline("text-classification"' in text
    with Image.open(result.path / "loss.png") as img:
        assert img.format == "PNG" and img.size[0] >= 600


@pytest.mark.heavy
def test_chat_card_has_lengths_and_generation_use(gpt_lora_run):
    meta, text = card_of(export(gpt_lora_run, "merged").path)
    assert meta["pipeline_tag"] == "text-generation" and "lora" in meta["tags"]
    assert "| prompt |" in text and "| response |" in text  # words per example
    assert '"text-generation"' in text and "with LoRA adapters" in text


def test_card_survives_a_moved_data_file(gpt_lora_run, tmp_path):
    """The data file is gone: the card still says what was recorded in job.yaml."""
    folder = RunFolder(gpt_lora_run)
    job = folder.job_file.read_text()
    try:
        folder.job_file.write_text(job.replace(folder.config().data.train_file,
                                               str(tmp_path / "gone.json")))
        meta, text = card_of(export(gpt_lora_run, "merged", force=True).path)
        assert "`gone.json`" in text and "Rows used:" in text
    finally:
        folder.job_file.write_text(job)


@pytest.mark.parametrize("base,hub,license_", [
    ("smollm2-135m", "HuggingFaceTB/SmolLM2-135M-Instruct", "apache-2.0"),
    ("minilm-l6", "sentence-transformers/all-MiniLM-L6-v2", "apache-2.0"),
    ("gpt2", "openai-community/gpt2", "mit"),
    ("tiny-gpt", "", None)])
def test_front_matter_names_the_hub_base_and_license(base, hub, license_):
    meta = front_matter({"base_model": base, "task": "chat", "family": "gpt",
                         "method": "lora"}, ["gguf"])
    assert base_hub_id(base) == hub
    assert meta.get("base_model") == (hub or None)
    assert meta.get("license") == license_
    assert meta["tags"][-1] == "gguf"


def test_loss_chart(tmp_path):
    events = [{"type": "log", "step": i, "loss": 2.0 / (i + 1)} for i in range(1, 20)]
    events += [{"type": "eval", "phase": "during", "step": 10, "metrics": {"eval_loss": 0.4}}]
    assert draw_loss(events, tmp_path / "loss.png")
    with Image.open(tmp_path / "loss.png") as img:
        colours = {c for _, c in img.convert("RGB").getcolors(100000)}
    assert (31, 119, 180) in colours and (214, 39, 40) in colours  # both series drawn
    assert not draw_loss([{"type": "start"}], tmp_path / "none.png")
    assert not (tmp_path / "none.png").exists()
