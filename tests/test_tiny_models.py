"""The tiny presets: built once, locally, with a byte-level tokenizer."""
import json
import pytest

from studio import tiny_models


def test_tiny_models_are_built_once_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_CACHE", str(tmp_path))
    path = tiny_models.ensure_tiny("tiny-bert")
    assert path == tmp_path / "models" / "tiny-bert"
    config = json.loads((path / "config.json").read_text())
    assert config["hidden_size"] == 64 and config["num_hidden_layers"] == 2
    stamp = (path / "config.json").stat().st_mtime_ns
    assert tiny_models.ensure_tiny("tiny-bert") == path
    assert (path / "config.json").stat().st_mtime_ns == stamp  # not rebuilt
    assert not list(tmp_path.glob("models/*.tmp*"))


@pytest.mark.parametrize("kind", ["bert", "gpt", "t5"])
def test_byte_tokenizers_encode_any_language_losslessly(kind):
    tok = tiny_models.byte_tokenizer(kind)
    text = "Grüße, 你好 🙂"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.decode(ids) == text
    assert len(ids) == len(text.encode("utf-8"))  # one token per byte
    assert tok.pad_token is not None


def test_the_gpt_tokenizer_renders_chatml():
    tok = tiny_models.byte_tokenizer("gpt")
    text = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False,
                                   add_generation_prompt=True)
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
