""""Use this model" code for each export format, as plain strings the page and the card show."""
from __future__ import annotations

import json


def _q(s: str) -> str:
    """A Python string literal."""
    return json.dumps(str(s), ensure_ascii=False)


def example_input(info: dict) -> str:
    return "I loved every minute of it." if info.get("task") == "classification" \
        else "Write a haiku about autumn."


def requirement_note() -> str:
    """What a merged folder needs: it is written (and checked) by transformers 5."""
    import transformers
    return (f"Requires transformers >= 5 (`pip install -U \"transformers>=5\"`): made and "
            f"checked with transformers {transformers.__version__}. The tokenizer is written as "
            f"PreTrainedTokenizerFast so transformers 4.x can read it, but 4.x is not tested.")


def _decoding(settings: dict | None) -> tuple[str, str]:
    """(extra generate arguments, a comment line): greedy gives the studio's answers."""
    from .chat_settings import greedy
    if greedy(settings):
        return (", do_sample=False",
                "# do_sample=False: greedy decoding, the answers the studio gives\n")
    return ("", f"# samples with the kept chat settings in generation_config.json (temperature "
                f"{settings['temperature']}); add do_sample=False for the studio's greedy "
                f"answers\n")


def transformers_code(location: str, info: dict, settings: dict | None = None) -> str:
    text = _q(example_input(info))
    needs = "# needs transformers>=5: pip install -U \"transformers>=5\"\n"
    if info.get("task") == "classification":
        return ("from transformers import pipeline\n\n" + needs +
                f"classify = pipeline(\"text-classification\", model={_q(location)}, top_k=None)\n"
                f"print(classify({text}))\n")
    extra, comment = _decoding(settings)
    if info.get("family") == "t5":
        return ("from transformers import AutoModelForSeq2SeqLM, AutoTokenizer\n\n" + needs +
                f"tok = AutoTokenizer.from_pretrained({_q(location)})\n"
                f"model = AutoModelForSeq2SeqLM.from_pretrained({_q(location)})\n"
                f"inputs = tok({text}, return_tensors=\"pt\")\n" + comment +
                f"out = model.generate(**inputs, max_new_tokens=128{extra})\n"
                "print(tok.decode(out[0], skip_special_tokens=True))\n")
    return ("from transformers import pipeline\n\n" + needs +
            f"chat = pipeline(\"text-generation\", model={_q(location)})\n"
            f"messages = [{{\"role\": \"user\", \"content\": {text}}}]\n" + comment +
            f"print(chat(messages, max_new_tokens=128{extra})[0][\"generated_text\"][-1]"
            "[\"content\"])\n")


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
               model_name: str = "my-model", settings: dict | None = None) -> dict[str, str]:
    """The snippets for one export (`location`: its folder, unzipped folder or Hub repo id;
    `settings`: the kept chat settings, which decide greedy or sampled decoding)."""
    if fmt in ("merged", "zip"):
        return {"transformers": transformers_code(location, info, settings)}
    if fmt == "adapter":
        return {"peft": peft_code(location, info)}
    if fmt == "gguf":
        return gguf_code(location, gguf_name, model_name)
    if fmt == "onnx":
        return {"onnxruntime": onnx_code(location, info)}
    if fmt == "serve":
        return serve_code(location, model_name, info)
    raise ValueError(f"no snippets for format {fmt!r}")
