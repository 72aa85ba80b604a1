"""The Modelfile's TEMPLATE, rendered the way Ollama's Go templates do, gives the studio's own
training text (the plain layout used to lose the blank line after each instruction)."""
import pytest

from studio.export.gotemplate import TemplateError, modelfile_template, render
from studio.export.modelfile import CHATML, LLAMA3, PLAIN
from studio.tasks.causal_lm import render_prompt
from studio.tiny_models import CHATML_TEMPLATE, byte_tokenizer

CONVERSATION = [{"role": "system", "content": "You repeat."},
                {"role": "user", "content": "Hi there"},
                {"role": "assistant", "content": "Hi there"},
                {"role": "user", "content": "Again"}]


def test_chatml_renders_like_the_jinja_template():
    tok = byte_tokenizer("gpt")
    assert tok.chat_template == CHATML_TEMPLATE
    assert render(CHATML, CONVERSATION) == render_prompt(tok, CONVERSATION)


def test_plain_layout_renders_like_training():
    tok = byte_tokenizer("gpt")
    tok.chat_template = None
    assert render(PLAIN, CONVERSATION) == render_prompt(tok, CONVERSATION)


def test_llama3_and_trim_markers():
    text = render(LLAMA3, CONVERSATION[:2])
    assert text.startswith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n")
    assert text.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    assert render("a  {{- .System -}}  b", []) == "ab"
    with pytest.raises(TemplateError):
        render("{{ len .Messages }}", [])


def test_template_is_read_from_a_modelfile():
    text = f'FROM ./m.gguf\n\nTEMPLATE """{CHATML}"""\n\nPARAMETER stop "x"\n'
    assert modelfile_template(text) == CHATML
    assert modelfile_template("FROM ./m.gguf\n") is None
