"""An Ollama Modelfile for an exported GGUF: FROM, TEMPLATE (the chat format the run trained
with, in Ollama's Go template language), PARAMETERs and the SYSTEM prompt."""
from __future__ import annotations

from pathlib import Path

DEFAULTS = {"temperature": 0.7, "top_p": 0.9, "max_new_tokens": 256}

CHATML = ("{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
          "{{- range .Messages }}{{- if ne .Role \"system\" }}<|im_start|>{{ .Role }}\n"
          "{{ .Content }}<|im_end|>\n{{ end }}{{- end }}<|im_start|>assistant\n")
LLAMA3 = ("<|begin_of_text|>{{- if .System }}<|start_header_id|>system<|end_header_id|>\n\n"
          "{{ .System }}<|eot_id|>{{ end }}{{- range .Messages }}{{- if ne .Role \"system\" }}"
          "<|start_header_id|>{{ .Role }}<|end_header_id|>\n\n{{ .Content }}<|eot_id|>{{ end }}"
          "{{- end }}<|start_header_id|>assistant<|end_header_id|>\n\n")
# The studio's own layout for models without a chat template (studio.tasks.causal_lm). No
# "{{-" before "else": it would trim the blank line after each instruction (the parity check
# renders this template and compares it with training's text).
PLAIN = ("{{- if .System }}### System:\n{{ .System }}\n\n{{ end }}{{- range .Messages }}"
         "{{- if eq .Role \"user\" }}### Instruction:\n{{ .Content }}\n\n"
         "{{ else if eq .Role \"assistant\" }}### Response:\n{{ .Content }}\n\n{{ end }}"
         "{{- end }}### Response:\n")


def chat_style(tokenizer) -> str:
    template = tokenizer.chat_template or ""
    if not template:
        return "plain"
    if "<|im_start|>" in template:
        return "chatml"
    if "<|start_header_id|>" in template:
        return "llama3"
    return "other"


def default_system(tokenizer) -> str:
    """The system prompt a chat template adds by itself when a conversation has none."""
    if chat_style(tokenizer) != "chatml":
        return ""
    text = tokenizer.apply_chat_template([{"role": "user", "content": "x"}], tokenize=False)
    head = "<|im_start|>system\n"
    if text.startswith(head) and "<|im_end|>" in text:
        return text[len(head):text.index("<|im_end|>")]
    return ""


def stops(tokenizer) -> list[str]:
    style = chat_style(tokenizer)
    out = {"chatml": ["<|im_end|>", "<|im_start|>"], "llama3": ["<|eot_id|>"],
           "plain": ["### Instruction:"]}.get(style, [])
    if tokenizer.eos_token and tokenizer.eos_token not in out:
        out.append(tokenizer.eos_token)
    return out


def _quoted(text: str) -> str:
    return '"""' + text.replace('"""', '\\"\\"\\"') + '"""'


def modelfile_text(gguf_name: str, tokenizer, system_prompt: str = "",
                   settings: dict | None = None) -> str:
    s = {**DEFAULTS, **{k: v for k, v in (settings or {}).items() if v is not None}}
    max_new = s.get("max_tokens") or s.get("max_new_tokens")
    system = s.get("system_prompt") or system_prompt or default_system(tokenizer)
    style = chat_style(tokenizer)
    lines = [f"FROM ./{gguf_name}", ""]
    template = {"chatml": CHATML, "llama3": LLAMA3, "plain": PLAIN}.get(style)
    if template:
        lines += [f"TEMPLATE {_quoted(template)}", ""]
    else:
        lines += ["# TEMPLATE: Ollama reads the chat template stored in the GGUF file.", ""]
    lines += [f"PARAMETER stop {_go_string(stop)}" for stop in stops(tokenizer)]
    lines += [f"PARAMETER temperature {float(s['temperature']):g}",
              f"PARAMETER top_p {float(s['top_p']):g}",
              f"PARAMETER num_predict {int(max_new)}"]
    if system:
        lines += ["", f"SYSTEM {_quoted(system)}"]
    return "\n".join(lines) + "\n"


def _go_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_modelfile(target: Path, gguf_name: str, tokenizer, system_prompt: str = "",
                    settings: dict | None = None) -> Path:
    path = target / "Modelfile"
    path.write_text(modelfile_text(gguf_name, tokenizer, system_prompt, settings),
                    encoding="utf-8")
    return path
