"""Merged folders and zips: what they hold, that they load without peft or the studio, that
they compute what the run computes, and that a second export reuses the first."""
import json
import os
import subprocess
import sys
import zipfile

import pytest
import torch

from studio.export import ExportError, export
from studio.inference import classify, load_run_model
from studio.runfolder import RunFolder


def test_merged_lora_equals_base_plus_adapter(gpt_lora_run):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM
    result = export(gpt_lora_run, "merged")
    names = {p.name for p in result.files}
    assert {"model.safetensors", "config.json", "tokenizer.json", "README.md",
            "loss.png"} <= names
    assert not any(n.startswith("adapter_") for n in names) and "studio.json" not in names
    info = json.loads((RunFolder(gpt_lora_run).model_dir / RunFolder.MODEL_INFO).read_text())
    base = AutoModelForCausalLM.from_pretrained(info["base_location"]).eval()
    merged = AutoModelForCausalLM.from_pretrained(result.path).eval()
    assert merged.dtype == base.dtype == torch.float32
    ids = torch.tensor([[5, 17, 42, 99, 100, 3, 7]])
    with torch.no_grad():
        before = base(ids).logits  # PeftModel wraps `base` in place: read it first
        unmerged = PeftModel.from_pretrained(base, RunFolder(gpt_lora_run).model_dir).eval()
        delta = (unmerged(ids).logits - merged(ids).logits).abs().max().item()
        changed = (before - merged(ids).logits).abs().max().item()
    assert delta < 1e-4
    assert changed > 1e-4  # the adapter did something, so the comparison means something


def test_merged_full_classifier_gives_the_runs_probabilities(bert_run):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    result = export(bert_run, "merged")
    model = AutoModelForSequenceClassification.from_pretrained(result.path).eval()
    tok = AutoTokenizer.from_pretrained(result.path)
    lm = load_run_model(RunFolder(bert_run).model_dir)
    texts = ["the film was great", "the plot was dull", "x"]
    with torch.no_grad():
        probs = torch.softmax(model(**tok(texts, padding=True, return_tensors="pt")).logits, -1)
    expected = torch.tensor([[r["probabilities"][lab] for lab in lm.labels]
                             for r in classify(lm, texts)])
    assert torch.allclose(probs, expected, atol=1e-5)
    assert model.config.id2label == dict(enumerate(lm.labels))


ZIP_CHECK = """
import json, sys
from transformers import pipeline
clf = pipeline("text-classification", model=sys.argv[1], top_k=None)
out = clf(["the film was great", "the plot was dull"])
print(json.dumps([{d["label"]: d["score"] for d in row} for row in out]))
print("studio" in sys.modules)
"""


@pytest.mark.heavy
def test_zip_is_self_contained_and_loads_with_transformers_alone(bert_run, tmp_path):
    result = export(bert_run, "zip")
    assert result.path.suffix == ".zip" and result.size_bytes == result.path.stat().st_size
    with zipfile.ZipFile(result.path) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "unzipped")
    assert {"model.safetensors", "config.json", "tokenizer.json", "labels.json", "README.md",
            "loss.png", "job.yaml", "metrics.json"} <= names
    assert json.loads((tmp_path / "unzipped/metrics.json").read_text()) == \
        RunFolder(bert_run).metrics()
    # A fresh interpreter in isolated mode: no PYTHONPATH, no studio on the path.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-I", "-c", ZIP_CHECK, str(tmp_path / "unzipped")],
                         capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    probs_line, studio_loaded = out.stdout.strip().splitlines()[-2:]
    assert studio_loaded == "False"
    lm = load_run_model(RunFolder(bert_run).model_dir)
    expected = classify(lm, ["the film was great", "the plot was dull"])
    for got, want in zip(json.loads(probs_line), expected):
        for label, p in want["probabilities"].items():
            assert got[label] == pytest.approx(p, abs=1e-5)


def test_a_second_export_is_reused_until_the_model_changes(bert_run):
    first = export(bert_run, "merged")
    again = export(bert_run, "merged")
    assert again.reused and again.path == first.path and again.files == first.files
    weights = RunFolder(bert_run).model_dir / "model.safetensors"
    st = weights.stat()
    os.utime(weights, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))  # "retrained"
    third = export(bert_run, "merged")
    assert not third.reused
    assert export(bert_run, "merged", force=True).reused is False


def test_progress_is_reported_up_to_done(bert_run):
    seen = []
    export(bert_run, "merged", progress=lambda f, msg: seen.append((f, msg)), force=True)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) >= 3
    assert all(isinstance(m, str) and m for _, m in seen)


def test_errors_are_one_sentence(bert_run, tmp_path):
    with pytest.raises(ExportError) as e:
        export(bert_run, "tarball")
    assert e.value.code == "unknown_format" and "zip, merged, gguf, onnx" in str(e.value)
    (tmp_path / "unfinished").mkdir()
    with pytest.raises(ExportError) as e:
        export(tmp_path / "unfinished", "zip")
    assert e.value.code == "no_model"
    for err in (e.value,):
        text = str(err)
        assert text.endswith(".") and "\n" not in text and text.count(". ") == 0


def test_snippets_come_with_every_result(bert_run, gpt_lora_run):
    from studio.export import usage
    merged = export(bert_run, "merged")
    code = merged.snippets["transformers"]
    assert str(merged.path) in code and "text-classification" in code
    compile(code, "snippet", "exec")
    serve = usage(gpt_lora_run, "serve", base_url="http://127.0.0.1:9000/v1", api_key="k")
    assert "Bearer k" in serve["curl"] and "/chat/completions" in serve["curl"]
    assert "OpenAI(base_url=\"http://127.0.0.1:9000/v1\"" in serve["openai"]
    compile(serve["openai"], "snippet", "exec")
