"""Parity after export: the exported artifact, run by a runtime that is not the training stack,
answers like the studio (studio.export.verify), and `export --verify` prints the report."""
import importlib.util
import json

import pytest

from conftest import run_cli
from studio.export import export
from studio.export.verify import first_difference, report_text, verify

HAS_LLAMA = importlib.util.find_spec("llama_cpp") is not None


def test_onnx_classifier_agrees_on_every_row(bert_run):
    export(bert_run, "onnx")
    report = verify(bert_run, "onnx")
    assert report["status"] == "ok", report
    assert report["runtime"].startswith("onnxruntime")
    assert report["rows"] > 0 and report["same_labels"] == report["rows"]
    assert report["max_difference"] < 1e-4
    assert "100%" in report_text(report)


@pytest.mark.heavy
def test_merged_classifier_in_a_fresh_process(bert_run):
    export(bert_run, "merged")
    report = verify(bert_run, "merged")
    assert report["status"] == "ok", report
    assert "fresh process" in report["runtime"]
    assert report["same_labels"] == report["rows"] > 0


@pytest.mark.heavy
def test_merged_generator_gives_the_same_greedy_tokens(llama_lora_run):
    export(llama_lora_run, "zip")
    report = verify(llama_lora_run, "zip")
    assert report["kind"] == "generation" and report["rows"] > 0
    assert report["identical"] == report["rows"], report_text(report)
    assert report["template"]["same"] is True
    assert all(a["same_prompt_tokens"] for a in report["answers"])


def test_first_difference_names_the_token(llama_lora_run):
    from studio.inference import load_run_model
    from studio.runfolder import RunFolder
    tok = load_run_model(RunFolder(llama_lora_run).model_dir).tokenizer
    a = tok("hello world", add_special_tokens=False)["input_ids"]
    b = a[:2] + tok(" zebra", add_special_tokens=False)["input_ids"]
    diff = first_difference(a, b, tok)
    assert diff["index"] == 2
    assert diff["studio"] == repr(tok.decode(a[2:3])) and diff["artifact"] == repr(
        tok.decode(b[2:3]))
    assert first_difference(a, a[:2], tok)["artifact"] == "(end)"
    assert first_difference(a, a, tok) is None


@pytest.mark.skipif(not HAS_LLAMA, reason="llama-cpp-python is not installed "
                                          "(pip install -r requirements-llama.txt)")
@pytest.mark.parametrize("quant", ["f16", "q8_0"])
def test_gguf_loads_in_llama_cpp_and_answers_like_the_studio(llama_lora_run, quant):
    """No override: llama.cpp used to refuse the file ("unknown pre-tokenizer type: 'gpt2'")."""
    export(llama_lora_run, "gguf", quant=quant)
    report = verify(llama_lora_run, "gguf", quant=quant)
    assert report["runtime"].startswith("llama.cpp")
    assert all(a["same_prompt_tokens"] for a in report["answers"]), report_text(report)
    assert report["template"]["same"] is True, report_text(report)
    if quant == "f16":
        assert report["identical"] == report["rows"] > 0, report_text(report)


@pytest.mark.skipif(not HAS_LLAMA, reason="llama-cpp-python is not installed")
def test_gpt2_gguf_loads_in_llama_cpp(gpt_lora_run):
    export(gpt_lora_run, "gguf")
    report = verify(gpt_lora_run, "gguf")
    assert all(a["same_prompt_tokens"] for a in report["answers"]), report_text(report)
    assert report["identical"] == report["rows"] > 0, report_text(report)


def test_missing_llama_cpp_is_said_plainly(llama_lora_run, monkeypatch):
    import importlib.util as iu
    real = iu.find_spec
    monkeypatch.setattr(iu, "find_spec", lambda n, *a: None if n == "llama_cpp" else real(n, *a))
    export(llama_lora_run, "gguf")
    report = verify(llama_lora_run, "gguf")
    assert report["status"] == "missing" and report["runtime"] == "llama-cpp-python"
    assert "llama-cpp-python is not installed" in report_text(report)
    assert report["modelfile"]["same"] is True  # checked without llama.cpp
    assert "Modelfile TEMPLATE: renders identically" in report_text(report)


@pytest.mark.heavy
def test_cli_export_verify_prints_the_report(bert_run):
    ws = bert_run.parent.parent
    out = run_cli("export", bert_run.name, "--format", "onnx", "--verify", "--workspace",
                  str(ws))
    assert out.returncode == 0, out.stderr
    assert "verify: onnx through onnxruntime" in out.stdout
    assert "matches the studio" in out.stdout
    out = run_cli("export", bert_run.name, "--format", "onnx", "--verify", "--json",
                  "--workspace", str(ws))
    assert json.loads(out.stdout)["verify"]["same_labels"] > 0


@pytest.mark.slow
@pytest.mark.skipif(not HAS_LLAMA, reason="llama-cpp-python is not installed")
def test_smollm2_gguf_answers_like_the_studio_in_llama_cpp(tmp_path):
    """The real SmolLM2-135M with a LoRA adapter: f16 and q8_0 load in llama.cpp with no
    override ('smollm' pre-tokenizer), the template renders identically, f16 answers match."""
    from pathlib import Path

    from helpers import make_job, train_in_process
    data = Path(__file__).resolve().parents[2].parent / "shared/data/alpaca_en_demo.json"
    if not data.exists():
        pytest.skip("alpaca_en_demo.json is not in the shared data folder")
    cfg = make_job(data, "smollm2-135m", method__method="lora", data__max_rows=16,
                   train__max_steps=2, train__batch_size=4, train__max_length=128,
                   train__eval_before=False, train__generation_samples=2)
    code, run_dir, _ = train_in_process(cfg, tmp_path / "ws")
    assert code == 0
    for quant in ("f16", "q8_0"):
        export(run_dir, "gguf", quant=quant)
        report = verify(run_dir, "gguf", quant=quant)
        print(report_text(report))
        assert all(a["same_prompt_tokens"] for a in report["answers"]), report_text(report)
        assert report["template"]["same"] is True and report["modelfile"]["same"] is True
        if quant == "f16":
            assert report["identical"] == report["rows"], report_text(report)
