"""What the cards and merged folders promise: evaluation results the Hub's own model-card tools
read, the right pipeline tag for T5, honest counts and sources, the transformers requirement,
and decoding settings (generation_config.json, the snippet, the Modelfile) that give the
studio's answers."""
import json
import re

import pytest
import yaml

from conftest import run_cli
from studio.export import export
from studio.export.card import front_matter, gguf_source_note
from studio.runfolder import RunFolder


def meta_of(path):
    text = (path / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(re.match(r"^---\n(.*?)\n---\n", text, re.S).group(1)), text


def test_model_index_is_read_by_huggingface_hub(bert_run):
    from huggingface_hub import ModelCard
    from huggingface_hub.repocard_data import model_index_to_eval_results
    result = export(bert_run, "merged")
    card = ModelCard.load(result.path / "README.md")
    meta = card.data.to_dict()
    assert meta["datasets"] == ["sentiment.csv"]
    assert "accuracy" in meta["metrics"] and "f1" in meta["metrics"]
    name, results = model_index_to_eval_results(meta["model-index"])
    after = RunFolder(bert_run).metrics()["after"]
    by_type = {r.metric_type: r.metric_value for r in results}
    assert abs(by_type["accuracy"] - after["accuracy"]) < 1e-4
    assert all(r.dataset_split == "validation" and r.task_type == "text-classification"
               for r in results)
    assert card.data.eval_results  # the Hub's parser reads it back from the card itself


def test_t5_card_pipeline_tag_grammar_and_requirement(t5_run):
    result = export(t5_run, "merged")
    meta, text = meta_of(result.path)
    assert meta["pipeline_tag"] == "text2text-generation"
    assert "An input-to-target text generation model" in text and "A input" not in text
    assert "Requires transformers >= 5" in text
    assert 'transformers>=5' in result.snippets["transformers"]
    assert "do_sample=False" in result.snippets["transformers"]
    config = json.loads((result.path / "tokenizer_config.json").read_text())
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"  # a name 4.x knows too
    from transformers import AutoTokenizer
    assert AutoTokenizer.from_pretrained(result.path)("hi")["input_ids"]


def test_front_matter_without_results_has_no_model_index():
    meta = front_matter({"task": "chat", "family": "gpt"}, [])
    assert "model-index" not in meta and "datasets" not in meta


def test_onnx_card_counts_every_validation_row(bert_run):
    rows = len(RunFolder(bert_run).outputs("predictions", "after"))
    result = export(bert_run, "onnx", force=True)
    _, text = meta_of(result.path)
    assert f"on {rows} validation rows" in text
    assert result.details["checked_rows"] == rows


@pytest.mark.heavy
def test_smollm2_card_names_the_dequantized_gguf():
    note = gguf_source_note("smollm2-135m")
    assert "Q4_1-quantized GGUF" in note and "dequantized" in note
    assert gguf_source_note("tiny-gpt") == ""


def test_merged_generation_config_is_greedy_like_the_studio(llama_lora_run, forget_settings):
    result = export(llama_lora_run, "merged", force=True)
    gen = json.loads((result.path / "generation_config.json").read_text())
    assert gen["do_sample"] is False and "temperature" not in gen
    assert "do_sample=False" in result.snippets["transformers"]


@pytest.mark.heavy
def test_kept_chat_settings_follow_into_merged_zip_and_cli_modelfile(llama_lora_run,
                                                                   forget_settings):
    kept = {"temperature": 0.3, "top_p": 0.8, "max_new_tokens": 40, "system_prompt": "Be kind."}
    result = export(llama_lora_run, "merged", settings=kept)
    gen = json.loads((result.path / "generation_config.json").read_text())
    assert gen["do_sample"] is True and gen["temperature"] == 0.3 and gen["top_p"] == 0.8
    assert gen["max_new_tokens"] == 40
    assert "temperature 0.3" in result.snippets["transformers"]
    # A later export from the command line, with no settings given, carries the kept ones.
    ws = llama_lora_run.parent.parent
    out = run_cli("export", llama_lora_run.name, "--format", "gguf", "--workspace", str(ws))
    assert out.returncode == 0, out.stderr
    modelfile = (llama_lora_run / "exports" / "gguf-f16" / "Modelfile").read_text()
    assert "PARAMETER temperature 0.3" in modelfile and "PARAMETER num_predict 40" in modelfile
    assert 'SYSTEM """Be kind."""' in modelfile
    # Greedy kept settings: do_sample false, no temperature.
    greedy = export(llama_lora_run, "merged", settings={**kept, "temperature": 0.0})
    gen = json.loads((greedy.path / "generation_config.json").read_text())
    assert gen["do_sample"] is False and "temperature" not in gen
