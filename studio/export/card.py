"""The model card (README.md) every export carries: Hub front matter, the data, every setting,
before/after metrics, the loss curve, intended use, limitations and the code to load it."""
from __future__ import annotations

import logging
import statistics
from pathlib import Path

import yaml

from ..runfolder import RunFolder
from . import snippets
from .chart import draw_loss

log = logging.getLogger(__name__)

LOSS_PNG = "loss.png"
# Offline presets that are copies of Hub models, and licenses of the bases we know.
HUB_COPIES = {"smollm2-135m": "HuggingFaceTB/SmolLM2-135M-Instruct",
              "minilm-l6": "sentence-transformers/all-MiniLM-L6-v2"}
LICENSES = {"HuggingFaceTB/SmolLM2-135M-Instruct": "apache-2.0",
            "HuggingFaceTB/SmolLM2-360M-Instruct": "apache-2.0",
            "sentence-transformers/all-MiniLM-L6-v2": "apache-2.0",
            "google-bert/bert-base-uncased": "apache-2.0", "FacebookAI/roberta-base": "mit",
            "Qwen/Qwen2.5-0.5B-Instruct": "apache-2.0", "openai-community/gpt2": "mit",
            "google/flan-t5-small": "apache-2.0", "google-t5/t5-small": "apache-2.0",
            "google/mt5-small": "apache-2.0"}
TASK_WORDS = {"classification": "text classification", "chat": "chat (instruction following)",
              "text2text": "input-to-target text generation"}


def base_hub_id(base: str) -> str:
    """The Hub id of a run's base model, or "" when it has none (tiny presets, local folders)."""
    from ..models import PRESETS
    if base in HUB_COPIES:
        return HUB_COPIES[base]
    preset = PRESETS.get(base)
    if preset is not None:
        return preset.location if preset.source == "hub" else ""
    return base if base.count("/") == 1 and not Path(base).exists() else ""


PIPELINE_TAGS = {"classification": "text-classification"}
# The studio's metric names -> Hugging Face metric ids (the Hub links and groups them).
METRIC_IDS = {"accuracy": "accuracy", "macro_f1": "f1", "f1": "f1", "exact_match": "exact_match",
              "bleu": "bleu", "chrf": "chrf", "rouge1": "rouge", "rouge2": "rouge",
              "rougeL": "rouge", "rouge_l": "rouge", "loss": "loss", "perplexity": "perplexity"}


def pipeline_tag(info: dict) -> str:
    """What the Hub calls the task: T5 is input -> target, never plain text generation."""
    if info.get("family") == "t5":
        return "text2text-generation"
    return PIPELINE_TAGS.get(info.get("task", ""), "text-generation")


def front_matter(info: dict, tags: list[str], library: str = "transformers",
                 results: dict | None = None) -> dict:
    """The card's YAML; `results` ({"name", "dataset", "metrics": {name: value}}) becomes
    `datasets`, `metrics` and a `model-index` the Hub shows as evaluation results."""
    base = base_hub_id(info.get("base_model", ""))
    meta: dict = {}
    if base:
        meta["base_model"] = base
    meta["library_name"] = library
    meta["pipeline_tag"] = pipeline_tag(info)
    meta["tags"] = ["fine-tuning-studio", info.get("task", ""), info.get("family", ""),
                    info.get("method", "")] + tags
    meta["tags"] = [t for i, t in enumerate(meta["tags"]) if t and t not in meta["tags"][:i]]
    if LICENSES.get(base):
        meta["license"] = LICENSES[base]
    if results and results.get("dataset"):
        meta["datasets"] = [results["dataset"]]
    numbers = {k: v for k, v in (results or {}).get("metrics", {}).items()
               if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if numbers:
        ids = [METRIC_IDS.get(k, k) for k in numbers]
        meta["metrics"] = [m for i, m in enumerate(ids) if m not in ids[:i]]
        meta["model-index"] = [{"name": results.get("name") or "model", "results": [{
            "task": {"type": meta["pipeline_tag"],
                     "name": TASK_WORDS.get(info.get("task"), info.get("task", ""))},
            "dataset": {"name": results["dataset"] or "validation rows",
                        "type": results["dataset"] or "local", "split": "validation"},
            "metrics": [{"type": METRIC_IDS.get(k, k), "name": k.replace("_", " "),
                         "value": round(float(v), 4)} for k, v in numbers.items()]}]}]
    return meta


def run_results(folder: RunFolder, cfg) -> dict:
    """The run's after-training validation metrics, named for the card's model-index."""
    after = folder.metrics().get("after") or {}
    return {"name": cfg.name or folder.id,
            "dataset": Path(cfg.data.train_file).name if cfg.data.train_file else "",
            "metrics": {k: v for k, v in after.items() if isinstance(v, (int, float))}}


def _an(word: str) -> str:
    return "An" if word[:1].lower() in "aeiou" else "A"


def gguf_source_note(base: str) -> str:
    """For a preset whose weights come from a quantized GGUF file (SmolLM2-135M here): which."""
    import gguf

    from .common import gguf_field, source_gguf
    path = source_gguf(base)
    if path is None:
        return ""
    quant = path.stem.rsplit(".", 1)[-1] if "." in path.stem else "quantized"
    ftype = gguf_field(path, "general.file_type")
    if isinstance(ftype, int):
        try:
            quant = gguf.LlamaFileType(ftype).name.replace("MOSTLY_", "")
        except ValueError:
            pass
    return (f"The base weights came from the {quant}-quantized GGUF file `{path.name}`, "
            f"dequantized to full precision before fine-tuning: they are close to, not the "
            f"same as, the original {HUB_COPIES.get(base, base)} weights.")


# ---- the data -------------------------------------------------------------------------------

def data_summary(folder: RunFolder, cfg) -> dict:
    """What the run trained on; label counts / lengths when the data file is still the same."""
    d = cfg.data
    start = next((e for e in folder.events() if e.get("type") == "start"), {})
    out = {"train_file": Path(d.train_file).name if d.train_file else "",
           "validation_file": Path(d.validation_file).name if d.validation_file else "",
           "validation_fraction": d.validation_fraction, "fingerprint": d.fingerprint,
           "rows_used": d.rows_used, "rows_excluded": d.rows_excluded,
           "train_rows": start.get("train_rows"), "validation_rows": start.get("validation_rows")}
    try:
        from ..data import fingerprint, load_job_data
        if d.fingerprint and fingerprint.of_files(d.train_file, d.validation_file) \
                == d.fingerprint:
            jd = load_job_data(cfg)
            out.update(_frame_stats(jd.train, jd.validation, cfg.task))
    except Exception as e:  # noqa: BLE001 - the card is still useful without the counts
        log.info("data details left out of the model card: %s", e)
    if "labels" not in out and cfg.task == "classification":
        after = folder.metrics().get("after") or {}
        support = {k: v.get("support") for k, v in (after.get("per_class") or {}).items()}
        if support:
            out["labels"] = {k: (None, v) for k, v in support.items()}
    return out


def _frame_stats(train, validation, task: str) -> dict:
    if task == "classification" and "label" in train:
        tr = train["label"].astype(str).value_counts().to_dict()
        va = validation["label"].astype(str).value_counts().to_dict()
        return {"labels": {k: (tr.get(k, 0), va.get(k, 0)) for k in sorted(set(tr) | set(va))}}
    words: dict[str, list[int]] = {"prompt": [], "response": []}
    for row in train.to_dict("records"):
        msgs = row.get("messages")
        if isinstance(msgs, list):
            asked = " ".join(m["content"] for m in msgs if m.get("role") != "assistant")
            said = " ".join(m["content"] for m in msgs if m.get("role") == "assistant")
        else:
            asked, said = str(row.get("prompt", "")), str(row.get("response", ""))
        words["prompt"].append(len(asked.split()))
        words["response"].append(len(said.split()))
    return {"lengths": {k: (min(v), statistics.median(v), max(v)) for k, v in words.items() if v}}


def _data_section(s: dict, task: str) -> list[str]:
    lines = ["## Training data", ""]
    fp = f" (fingerprint `{s['fingerprint']}`)" if s["fingerprint"] else ""
    lines.append(f"- File: `{s['train_file'] or 'unknown'}`{fp}")
    split = f"the separate file `{s['validation_file']}`" if s["validation_file"] else \
        f"{s['validation_fraction']:.0%} of the rows held out"
    counts = ""
    if s.get("train_rows") is not None:
        counts = f" ({s['train_rows']} training, {s['validation_rows']} validation)"
    lines.append(f"- Rows used: {s['rows_used']}{counts}; rows excluded: {s['rows_excluded']} "
                 f"(each with its reason in the run's event log)")
    lines.append(f"- Validation: {split}")
    if s.get("labels"):
        lines += ["", "| label | training rows | validation rows |", "|---|---:|---:|"]
        lines += [f"| {k} | {'' if a is None else a} | {'' if b is None else b} |"
                  for k, (a, b) in s["labels"].items()]
    if s.get("lengths"):
        lines += ["", "| words per example | min | median | max |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {a} | {b:g} | {c} |" for k, (a, b, c) in s["lengths"].items()]
    return lines + [""]


# ---- settings and results -------------------------------------------------------------------

def _settings_section(cfg) -> list[str]:
    from ..config import describe_fields
    lines = ["## Training settings", "", "| setting | value |", "|---|---|"]
    for f in describe_fields(recorded=True):
        value = cfg
        for part in f["path"].split("."):
            value = getattr(value, part)
        if f["path"] in ("data.train_file", "data.validation_file") and value:
            value = Path(value).name  # never publish a local folder's name
        lines.append(f"| `{f['path']}` | {'' if value in (None, '') else value} |")
    return lines + [""]


def _num(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _results_section(metrics: dict) -> list[str]:
    before, after = metrics.get("before") or {}, metrics.get("after") or {}
    names = [k for k in after if isinstance(after[k], (int, float))] + \
        [k for k in before if isinstance(before[k], (int, float)) and k not in after]
    lines = ["## Results", ""]
    if not names:
        return lines + ["The run recorded no validation metrics.", ""]
    lines += ["Measured on the validation rows, before and after fine-tuning.", "",
              "| metric | before | after |", "|---|---:|---:|"]
    lines += [f"| {k} | {_num(before.get(k, ''))} | {_num(after.get(k, ''))} |" for k in names]
    extra = {k: metrics[k] for k in ("train_loss", "steps", "train_seconds") if k in metrics}
    if extra:
        lines += ["", ", ".join(f"{k.replace('_', ' ')}: {_num(v)}" for k, v in extra.items())]
    return lines + [""]


def _use_sections(info: dict, s: dict, untrained: bool) -> list[str]:
    task = info.get("task", "")
    if task == "classification":
        labels = ", ".join(info.get("labels") or [])
        use = (f"Sorting texts like the training data into the labels {labels}. Check its "
               f"answers on your own examples before relying on it.")
    else:
        use = ("Answering prompts like the ones in the training data, in the same style. Review "
               "its output before using it anywhere that matters.")
    rows = s.get("rows_used") or "a few"
    limits = [f"It learned from {rows} rows only; inputs unlike them get worse answers.",
              f"The metrics come from {s.get('validation_rows') or 'a few'} validation rows, "
              f"a small sample.",
              "It inherits the base model's limits and biases and has no extra safety tuning."]
    if task == "classification":
        limits.append("It always answers with one of its labels, even for unrelated text.")
    else:
        limits.append("It can state false things confidently.")
    if untrained:
        limits.insert(0, "The base model is an untrained test model: the output is noise.")
    return (["## Intended use", "", use, "", "## Limitations", ""]
            + [f"- {x}" for x in limits] + [""])


# ---- the card --------------------------------------------------------------------------------

def write_card(folder: RunFolder, target: Path, info: dict, fmt: str, *, location: str = "",
               tags: list[str] | None = None, library: str = "transformers",
               notes: list[str] | None = None, use: dict[str, str] | None = None,
               settings: dict | None = None) -> Path:
    """README.md (+ loss.png) into `target`; `use` replaces the format's default snippets;
    `settings` are the kept chat settings (the snippet decodes the way they say)."""
    from ..models import PRESETS
    cfg = folder.config()
    base = info.get("base_model") or cfg.model.name
    s = data_summary(folder, cfg)
    has_chart = draw_loss(folder.events(), target / LOSS_PNG, f"Loss - {folder.id}")
    meta = front_matter(info, tags or [], library, run_results(folder, cfg))
    method = "LoRA adapters" if info.get("method") == "lora" else "full fine-tuning"
    title = cfg.name or folder.id
    words = TASK_WORDS.get(info.get("task"), info.get("task") or "")
    lines = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).rstrip(), "---",
             "", f"# {title}", "",
             f"{_an(words)} {words} model fine-tuned from "
             f"`{base_hub_id(base) or Path(base).name}` with {method}, using Fine-tuning Studio "
             f"(run `{folder.id}`).", ""]
    notes = list(notes or [])
    if gguf_source_note(base):
        notes.append(gguf_source_note(base))
    if library == "transformers":
        notes.append(snippets.requirement_note())
    lines += [f"> {n}" for n in notes] + ([""] if notes else [])
    lines += _data_section(s, info.get("task", ""))
    lines += _settings_section(cfg)
    lines += _results_section(folder.metrics())
    if has_chart:
        lines += ["## Loss curve", "", f"![Training and validation loss]({LOSS_PNG})", ""]
    preset = PRESETS.get(base)
    lines += _use_sections(info, s, bool(preset and preset.untrained))
    code = use if use is not None else snippets.for_format(fmt, location or ".", info,
                                                            settings=settings)
    lines += ["## How to use", ""]
    for name, text in code.items():
        lang = "bash" if name in ("ollama", "llama.cpp", "curl") else "python"
        lines += [f"{name}:", "", f"```{lang}", text.rstrip(), "```", ""]
    path = target / "README.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
