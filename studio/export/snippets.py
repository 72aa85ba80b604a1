""""Use this model" code for each export format, as plain strings the page and the card show."""
from __future__ import annotations

import json


def _q(s: str) -> str:
    """A Python string literal."""
    return json.dumps(str(s), ensure_ascii=False)


def example_input(info: dict) -> str:
    return "I loved every minute of it." if info.get("task") == "classification" \
        else "Write a haiku about autumn."


def transformers_code(location: str, info: dict) -> str:
    text = _q(example_input(info))
    if info.get("task") == "classification":
        return ("from transformers import pipeline\n\n"
                f"classify = pipeline(\"text-classification\", model={_q(location)}, top_k=None)\n"
                f"print(classify({text}))\n")
    if info.get("family") == "t5":
        return ("from transformers import AutoModelForSeq2SeqLM, AutoTokenizer\n\n"
                f"tok = AutoTokenizer.from_pretrained({_q(location)})\n"
                f"model = AutoModelForSeq2SeqLM.from_pretrained({_q(location)})\n"
                f"inputs = tok({text}, return_tensors=\"pt\")\n"
                "out = model.generate(**inputs, max_new_tokens=128)\n"
                "print(tok.decode(out[0], skip_special_tokens=True))\n")
    return ("from transformers import pipeline\n\n"
            f"chat = pipeline(\"text-generation\", model={_q(location)})\n"
            f"messages = [{{\"role\": \"user\", \"content\": {text}}}]\n"
            "print(chat(messages, max_new_tokens=128)[0][\"generated_text\"][-1][\"content\"])\n")


def peft_code(location: str, info: dict) -> str:
    cls = "AutoPeftModelForSequenceClassification" if info.get("task") == "classification" \
        else "AutoPeftModelForSeq2SeqLM" if info.get("family") == "t5" \
        else "AutoPeftModelForCausalLM"
    return (f"from peft import {cls}\nfrom transformers import AutoTokenizer\n\n"
            f"# Downloads the base model named in the adapter's config, then adds the adapter.\n"
            f"model = {cls}.from_pretrained({_q(location)})\n"
            f"tok = AutoTokenizer.from_pretrained({_q(location)})\n"
            "model = model.merge_and_unload()  # optional: plain weights, faster\n")


def gguf_code(folder: str, gguf_name: str, model_name: str) -> dict[str, str]:
    path = f"{folder.rstrip('/')}/{gguf_name}"
    return {
        "ollama": (f"cd {folder}\nollama create {model_name} -f Modelfile\n"
                   f"ollama run {model_name}\n"),
        "llama.cpp": (f"llama-cli -m {path} -cnv\n"
                      f"# or serve it: llama-server -m {path} --port 8080\n"),
        "transformers": ("from transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
                         f"tok = AutoTokenizer.from_pretrained({_q(folder)}, "
                         f"gguf_file={_q(gguf_name)})\n"
                         f"model = AutoModelForCausalLM.from_pretrained({_q(folder)}, "
                         f"gguf_file={_q(gguf_name)})\n"),
    }


def onnx_code(folder: str, info: dict) -> str:
    return ("import json\n\nimport numpy as np\nimport onnxruntime as ort\n"
            "from transformers import AutoTokenizer\n\n"
            f"folder = {_q(folder)}\n"
            "tok = AutoTokenizer.from_pretrained(folder)\n"
            "session = ort.InferenceSession(f\"{folder}/model.onnx\")\n"
            "labels = json.load(open(f\"{folder}/labels.json\"))[\"labels\"]\n"
            f"enc = tok([{_q(example_input(info))}], padding=True, truncation=True, "
            "return_tensors=\"np\")\n"
            "names = [i.name for i in session.get_inputs()]\n"
            "probs = session.run([\"probabilities\"], {n: enc[n].astype(np.int64) "
            "for n in names})[0]\n"
            "print(dict(zip(labels, probs[0].round(4).tolist())))\n")


def serve_code(base_url: str, model_id: str, info: dict, api_key: str = "") -> dict[str, str]:
    """curl and the openai client against `python -m studio serve`."""
    key = api_key or "not-needed"
    auth = f" \\\n  -H \"Authorization: Bearer {api_key}\"" if api_key else ""
    text = example_input(info)
    if info.get("task") == "classification":
        body = json.dumps({"model": model_id, "input": [text]}, ensure_ascii=False)
        return {"curl": f"curl {base_url}/classify{auth} \\\n  -H \"Content-Type: "
                        f"application/json\" \\\n  -d '{body}'\n"}
    body = json.dumps({"model": model_id, "messages": [{"role": "user", "content": text}],
                       "max_tokens": 128}, ensure_ascii=False)
    return {
        "curl": f"curl {base_url}/chat/completions{auth} \\\n  -H \"Content-Type: "
                f"application/json\" \\\n  -d '{body}'\n",
        "openai": ("from openai import OpenAI\n\n"
                   f"client = OpenAI(base_url={_q(base_url)}, api_key={_q(key)})\n"
                   "stream = client.chat.completions.create(\n"
                   f"    model={_q(model_id)}, stream=True, max_tokens=128,\n"
                   f"    messages=[{{\"role\": \"user\", \"content\": {_q(text)}}}])\n"
                   "for chunk in stream:\n"
                   "    print(chunk.choices[0].delta.content or \"\", end=\"\", flush=True)\n"),
    }


def for_format(fmt: str, location: str, info: dict, *, gguf_name: str = "",
               model_name: str = "my-model") -> dict[str, str]:
    """The snippets for one export (`location`: its folder, unzipped folder or Hub repo id)."""
    if fmt in ("merged", "zip"):
        return {"transformers": transformers_code(location, info)}
    if fmt == "adapter":
        return {"peft": peft_code(location, info)}
    if fmt == "gguf":
        return gguf_code(location, gguf_name, model_name)
    if fmt == "onnx":
        return {"onnxruntime": onnx_code(location, info)}
    if fmt == "serve":
        return serve_code(location, model_name, info)
    raise ValueError(f"no snippets for format {fmt!r}")
