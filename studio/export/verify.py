"""Parity after export: replay a few of the run's validation prompts through the exported file
with a runtime that is not the training stack, and say how closely it answers like the studio.

    report = verify(run_folder, "gguf", quant="f16")   # plain data; the page and CLI render it

GGUF runs in llama.cpp (the optional `llama-cpp-python` package), ONNX in onnxruntime, merged
and zip in a fresh Python process with transformers alone (studio/export/verify_child.py).
Classifiers: the share of identical labels and the largest probability difference.
Generators: greedy continuations compared token by token, and the chat template the artifact
carries (llama.cpp: the GGUF's tokenizer.chat_template as llama-cpp-python renders it; merged:
the folder's tokenizer) rendered for the same conversation as the studio's training template.
A mismatch is a warning naming the first differing token, never an exception.
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from ..runfolder import RunFolder
from .common import ExportError, Progress, as_folder, load_model, model_info
from .common import report as report_progress

log = logging.getLogger(__name__)
PROMPTS = 3                      # validation prompts replayed
MAX_NEW_TOKENS = 16              # greedy tokens compared per prompt
FALLBACK_PROMPTS = ["Write a haiku about autumn.", "What is the capital of France?"]
LLAMA_PACKAGE = "llama-cpp-python"


def verify(folder: RunFolder | str | Path, fmt: str, quant: str = "f16",
           prompts: int = PROMPTS, max_new_tokens: int = MAX_NEW_TOKENS,
           progress: Progress | None = None) -> dict:
    """The parity report of an existing export (export it first). Keys: format, runtime,
    status ("ok", "warning" or "missing": the runtime is not installed), rows, seconds,
    warnings ([{code, params}]), and per kind: classification -> same_labels, max_difference;
    generation -> identical, answers ([{prompt, same, first_difference}]), template.
    `progress(fraction, message)` hears each step: a check can take minutes on a busy CPU,
    and the page shows it moving."""
    from . import export_folder
    folder = as_folder(folder)
    info = model_info(folder)
    started = time.monotonic()
    where = export_folder(folder, fmt, quant)
    if not where.exists():
        raise ExportError(code="verify_no_export", run=folder.id, format=fmt)
    base = {"format": fmt + (f" {quant}" if fmt == "gguf" else ""), "warnings": []}
    runtime = {"gguf": "llama_cpp", "onnx": "onnxruntime"}.get(fmt)
    if runtime and importlib.util.find_spec(runtime) is None:
        package = LLAMA_PACKAGE if fmt == "gguf" else "onnxruntime"
        report = {**base, "status": "missing", "runtime": package, "rows": 0, "seconds": 0.0,
                  "warnings": [{"code": "verify_missing", "params": {"package": package}}]}
        if fmt == "gguf":  # the Modelfile's template needs no llama.cpp: check it anyway
            from ..inference import chat_messages, prompt_text
            lm = load_model(folder)
            messages = chat_messages(lm, _prompts(folder, 1)[0])
            report["modelfile"] = _modelfile_check(where, messages, prompt_text(lm, messages),
                                                   lm.tokenizer)
        return report
    report_progress(progress, 0.05, "loading the run's model")
    lm = load_model(folder)
    report_progress(progress, 0.25, f"replaying rows through the {fmt} export")
    if info.get("task") == "classification":
        report = {**base, **_classification(folder, lm, fmt, where)}
    else:
        report = {**base, **_generation(folder, lm, fmt, where, quant, prompts, max_new_tokens,
                                        progress)}
    report_progress(progress, 1.0, "checked")
    report["seconds"] = round(time.monotonic() - started, 2)
    report["status"] = "warning" if report["warnings"] else "ok"
    log.info("verify %s: %s", fmt, json.dumps(report, ensure_ascii=False, default=str)[:400])
    return report


# ---- classification --------------------------------------------------------------------------

def _classification(folder: RunFolder, lm, fmt: str, where: Path) -> dict:
    import numpy as np

    from ..inference import classify
    from .onnx_export import validation_texts
    texts, pairs = validation_texts(folder, limit=None)
    ours = classify(lm, texts, pairs)
    ref = np.array([[r["probabilities"][lab] for lab in lm.labels] for r in ours])
    if fmt == "onnx":
        runtime, probs = _onnx_probs(lm, where, texts, pairs)
        labels = [lm.labels[int(i)] for i in probs.argmax(-1)]
    else:
        runtime, out = _child(folder, fmt, where, {"task": "classification", "texts": texts,
                                                  "pairs": pairs, "max_length": lm.max_length})
        labels = out["labels"]
        probs = np.array(out["probabilities"])  # the folder's id2label keeps the run's order
    same = sum(a == r["prediction"] for a, r in zip(labels, ours))
    worst = float(np.abs(probs - ref).max()) if len(texts) else 0.0
    warnings = []
    if same < len(texts):
        first = next(i for i, (a, r) in enumerate(zip(labels, ours)) if a != r["prediction"])
        warnings.append({"code": "verify_labels", "params": {
            "same": same, "rows": len(texts), "text": texts[first][:80],
            "studio": ours[first]["prediction"], "artifact": labels[first]}})
    return {"runtime": runtime, "kind": "classification", "rows": len(texts),
            "same_labels": same, "max_difference": worst, "warnings": warnings}


def _onnx_probs(lm, where: Path, texts, pairs):
    import numpy as np
    import onnxruntime as ort
    session = ort.InferenceSession(str(where / "model.onnx"), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    out = []
    for s in range(0, len(texts), 16):
        enc = lm.tokenizer(texts[s:s + 16], pairs[s:s + 16] if pairs else None, truncation=True,
                           max_length=lm.max_length, padding=True, return_tensors="np")
        out.append(session.run(["probabilities"], {n: enc[n].astype(np.int64) for n in names})[0])
    return f"onnxruntime {ort.__version__}", np.concatenate(out) if out else np.zeros((0, 0))


# ---- generation -------------------------------------------------------------------------------

def _prompts(folder: RunFolder, n: int) -> list[str]:
    rows = folder.outputs("samples", "after", limit=n)
    found = [str(r["prompt"]) for r in rows if str(r.get("prompt") or "").strip()]
    return found or FALLBACK_PROMPTS[:n]


def _studio_answers(lm, conversations, max_new_tokens: int):
    """(rendered prompt, prompt ids, greedy new ids) from the training stack."""
    import torch

    from ..inference import prompt_text
    tok = lm.tokenizer
    out = []
    with torch.no_grad():
        for messages in conversations:
            text = prompt_text(lm, messages)
            enc = tok(text, return_tensors="pt",
                      add_special_tokens=not (lm.family == "gpt" and tok.chat_template))
            gen = lm.model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                    num_beams=1, pad_token_id=tok.pad_token_id)
            ids = gen[0].tolist()
            new = ids[1:] if lm.family == "t5" else ids[enc["input_ids"].shape[1]:]
            out.append((text, enc["input_ids"][0].tolist(), new))
    return out


def _generation(folder, lm, fmt, where, quant, n, max_new_tokens, progress=None) -> dict:
    from ..inference import chat_messages
    asked = _prompts(folder, n)
    conversations = [chat_messages(lm, p) for p in asked]
    ours = _studio_answers(lm, conversations, max_new_tokens)
    report_progress(progress, 0.5, f"the studio answered {len(ours)} prompts; now the export")
    if fmt == "gguf":
        from .verify_llama import llama_answers
        runtime, theirs, template = llama_answers(where, quant, conversations, max_new_tokens,
                                                  eos=lm.tokenizer.eos_token_id)
    else:
        job = {"task": lm.task, "family": lm.family, "max_new_tokens": max_new_tokens,
               "conversations": conversations, "sources": [t for t, _, _ in ours],
               "plain_prompts": [t for t, _, _ in ours]}
        runtime, out = _child(folder, fmt, where, job)
        theirs = list(zip(out["prompts"], out["prompt_ids"], out["new_ids"]))
        template = {"source": "the folder's tokenizer chat_template", "text": None}
    warnings, answers = [], []
    tok = lm.tokenizer
    for prompt, (text, ids, new), (their_text, their_ids, their_new) in zip(asked, ours,
                                                                             theirs):
        new, their_new = _until_eos(new, tok), _until_eos(their_new, tok)
        diff = first_difference(new, their_new, tok)
        answers.append({"prompt": prompt, "same": diff is None, "tokens": len(new),
                        "studio": tok.decode(new, skip_special_tokens=True),
                        "artifact": tok.decode(their_new, skip_special_tokens=True),
                        "first_difference": diff,
                        "same_prompt_tokens": ids == list(their_ids)})
        if diff is not None:
            warnings.append({"code": "verify_tokens", "params": {"prompt": prompt[:80], **diff}})
    if fmt != "gguf" or template.get("text") is not None:
        studio_text = ours[0][0] if ours else ""
        artifact_text = theirs[0][0] if theirs else ""
        if fmt == "gguf":
            artifact_text = template["text"]
        diff = first_difference(tok(studio_text, add_special_tokens=False)["input_ids"],
                                tok(artifact_text, add_special_tokens=False)["input_ids"], tok)
        template = {"source": template["source"], "same": diff is None,
                    "first_difference": diff}
        if diff is not None:
            warnings.append({"code": "verify_template", "params": {
                "source": template["source"], **diff}})
    else:
        template = {"source": template["source"], "same": None, "first_difference": None}
    report = {"runtime": runtime, "kind": "generation", "rows": len(answers),
              "identical": sum(a["same"] for a in answers), "answers": answers,
              "template": template, "warnings": warnings}
    if fmt == "gguf" and conversations and ours:
        report["modelfile"] = _modelfile_check(where, conversations[0], ours[0][0], tok)
        if report["modelfile"]["same"] is False:
            warnings.append({"code": "verify_template", "params": {
                "source": "Modelfile TEMPLATE", **report["modelfile"]["first_difference"]}})
    return report


def _modelfile_check(where: Path, messages: list[dict], studio_text: str, tok) -> dict:
    """The Modelfile's TEMPLATE rendered as Ollama would (its SYSTEM line added when the
    conversation has no system message) against the studio's text."""
    import re

    from .gotemplate import TemplateError, modelfile_template, render
    try:
        text = (where / "Modelfile").read_text(encoding="utf-8")
    except OSError:
        return {"source": "Modelfile TEMPLATE", "same": None, "first_difference": None}
    template = modelfile_template(text)
    if template is None:  # Ollama takes the GGUF's own template, checked above
        return {"source": "Modelfile TEMPLATE", "same": None, "first_difference": None}
    system = re.search(r'^SYSTEM """(.*?)"""', text, re.S | re.M)
    if system and not any(m["role"] == "system" for m in messages):
        messages = [{"role": "system", "content": system.group(1)}] + list(messages)
    try:
        rendered = render(template, messages)
    except TemplateError as e:
        log.info("could not render the Modelfile TEMPLATE: %s", e)
        return {"source": "Modelfile TEMPLATE", "same": None, "first_difference": None}
    ids = lambda t: tok(t, add_special_tokens=False)["input_ids"]  # noqa: E731
    diff = first_difference(ids(studio_text), ids(rendered), tok)
    return {"source": "Modelfile TEMPLATE", "same": diff is None, "first_difference": diff}


def _until_eos(ids: list[int], tok) -> list[int]:
    stops = {tok.eos_token_id, tok.pad_token_id} - {None}
    for i, t in enumerate(ids):
        if t in stops:
            return ids[:i]
    return ids


def first_difference(a: list[int], b: list[int], tok) -> dict | None:
    """None when equal, else the index and the two tokens (as text) where they part."""
    if list(a) == list(b):
        return None
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    show = lambda ids: repr(tok.decode(ids[i:i + 1])) if i < len(ids) else "(end)"  # noqa: E731
    return {"index": i, "studio": show(a), "artifact": show(b)}


# ---- a fresh transformers process ------------------------------------------------------------

def _child(folder: RunFolder, fmt: str, where: Path, job: dict) -> tuple[str, dict]:
    """Run verify_child.py on the merged folder (zip: unzipped to a temporary folder)."""
    import transformers
    with tempfile.TemporaryDirectory(prefix="studio-verify-") as tmp:
        target = where
        if fmt == "zip":
            archive = next(where.glob("*.zip"))
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp)
            target = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONPATH")}
        env.setdefault("HF_HUB_OFFLINE", "1")
        env.setdefault("TOKENIZERS_PARALLELISM", "false")
        script = Path(__file__).with_name("verify_child.py")
        done = subprocess.run([sys.executable, "-I", str(script)], cwd=tmp, env=env,
                              input=json.dumps({**job, "folder": str(target)}),
                              capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1][:200]
        raise ExportError(code="verify_failed", format=fmt, detail=last)
    return f"transformers {transformers.__version__} (fresh process)", \
        json.loads(done.stdout.strip().splitlines()[-1])


def report_text(report: dict) -> str:
    """The report in English for the command line (the page renders it through i18n)."""
    fmt, runtime = report["format"], report["runtime"]
    if report["status"] == "missing":
        text = (f"verify: {fmt} was not checked: {runtime} is not installed; install it with "
                f"`pip install -r requirements-llama.txt` (or `pip install {runtime}`).")
        m = report.get("modelfile") or {}
        if m.get("same") is not None:
            text += "\n  Ollama Modelfile TEMPLATE: " + (
                "renders identically" if m["same"] else
                "DIFFERENT at token {index}: studio {studio}, Modelfile {artifact}".format(
                    **m["first_difference"]))
        return text
    lines = [f"verify: {fmt} through {runtime}, {report['rows']} validation rows, "
             f"{report['seconds']:.1f} s"]
    if report["kind"] == "classification":
        lines.append(f"  same label on {report['same_labels']}/{report['rows']} rows "
                     f"({report['same_labels'] / max(report['rows'], 1):.0%}); largest "
                     f"probability difference {report['max_difference']:.2g}")
    else:
        lines.append(f"  greedy answers identical to the studio's: {report['identical']}/"
                     f"{report['rows']}")
        for a in report["answers"]:
            mark = "same" if a["same"] else "DIFFERENT at token {index}: studio {studio}, " \
                "export {artifact}".format(**a["first_difference"])
            lines.append(f"  - {a['prompt'][:60]!r}: {mark}")
        t = report["template"]
        if t.get("same") is None:
            lines.append(f"  chat template: not checked ({t['source']})")
        else:
            lines.append(f"  chat template ({t['source']}): " + (
                "renders identically" if t["same"] else
                "DIFFERENT at token {index}: studio {studio}, export {artifact}".format(
                    **t["first_difference"])))
        m = report.get("modelfile")
        if m and m.get("same") is not None:
            lines.append("  Ollama Modelfile TEMPLATE: " + (
                "renders identically" if m["same"] else
                "DIFFERENT at token {index}: studio {studio}, Modelfile {artifact}".format(
                    **m["first_difference"])))
    lines.append("  result: " + ("matches the studio" if report["status"] == "ok"
                                 else "WARNING: the export does not answer exactly like the "
                                      "studio (see above)"))
    return "\n".join(lines)
