"""Using a trained run (or a base model): classify, generate (streaming), predict and evaluate
files. Loaded models are kept in a small LRU cache shared by every browser session.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from .data.conversations import content_text
from .errors import InferenceError
from .shown import shown_path

REPLACEMENT = "\ufffd"
from .runs import RunFolder
from .metrics import classification_metrics
from .tasks import task_module


@dataclass
class LoadedModel:
    ref: str                      # run id, or the base model name
    task: str
    family: str
    model: object
    tokenizer: object
    labels: list[str] = field(default_factory=list)
    max_length: int = 512
    system_prompt: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)  # one forward at a time

    @property
    def module(self):
        return task_module(self.task, self.family)


def load_run_model(model_dir: str | Path, ref: str = "") -> LoadedModel:
    from transformers import AutoTokenizer
    model_dir = Path(model_dir)
    info_path = model_dir / RunFolder.MODEL_INFO
    if not info_path.exists():
        raise InferenceError(f"{model_dir} holds no trained model (the run did not finish); "
                             f"pick a finished run.")
    info = json.loads(info_path.read_text())
    mod = task_module(info["task"], info["family"])
    tok = mod.prepare_tokenizer(AutoTokenizer.from_pretrained(model_dir))
    labels = info.get("labels") or []
    if info["method"] == "lora":
        from peft import PeftModel
        base = mod.load_model(info["base_location"], None, labels, False, tok)
        model = PeftModel.from_pretrained(base, model_dir)
        model = model.merge_and_unload()  # plain weights: faster forward passes
    else:
        model = mod.load_model(str(model_dir), None, labels, False, tok)
    model.eval()
    return LoadedModel(ref or model_dir.parent.name, info["task"], info["family"], model, tok,
                       labels, info.get("max_length") or 512, info.get("system_prompt", ""))


def load_base_model(name: str, task: str, labels: list[str] | None = None) -> LoadedModel:
    """The untuned model, for the playground's before/after comparison."""
    from transformers import AutoTokenizer
    from .models import describe
    info = describe(name)
    mod = task_module(task, info.family)
    tok = mod.prepare_tokenizer(AutoTokenizer.from_pretrained(info.location))
    model = mod.load_model(info.location, None, labels or ["0", "1"], False, tok)
    model.eval()
    return LoadedModel(name, task, info.family, model, tok, list(labels or ["0", "1"]))


class ModelCache:
    """Keeps at most `capacity` models loaded; the least recently used one is dropped."""

    def __init__(self, capacity: int = 2):
        self.capacity = capacity
        self._items: OrderedDict[tuple, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, loader) -> LoadedModel:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        lm = loader()
        with self._lock:
            self._items[key] = lm
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return lm

    def run(self, registry, run_id: str, owner: str | None = None) -> LoadedModel:
        """A run's trained model; `owner` (hosted mode) must own the run."""
        run = registry.get(run_id, owner) if owner is not None else registry.find(run_id)
        if run is None:
            raise InferenceError(f"No run '{run_id}'; see `python -m studio runs`.")
        model_dir = RunFolder(run.run_dir).model_dir
        return self.get(("run", run.id, _mtime(model_dir)),
                        lambda: load_run_model(model_dir, run.id))

    def base(self, name: str, task: str, labels: list[str] | None = None) -> LoadedModel:
        return self.get(("base", name, task, tuple(labels or ())),
                        lambda: load_base_model(name, task, labels))

    def drop(self, run_id: str) -> None:
        with self._lock:
            for key in [k for k in self._items if k[0] == "run" and k[1] == run_id]:
                del self._items[key]


def _mtime(path: Path) -> float:
    info = path / RunFolder.MODEL_INFO
    return info.stat().st_mtime if info.exists() else 0.0


def load_for_cli(registry, ref: str) -> LoadedModel:
    return ModelCache(1).run(registry, ref)


# ---- classification ------------------------------------------------------------------------

def classify(lm: LoadedModel, texts: list[str], pairs: list[str] | None = None,
             batch_size: int = 32) -> list[dict]:
    import torch
    out = []
    with lm.lock, torch.no_grad():
        for s in range(0, len(texts), batch_size):
            enc = lm.tokenizer(texts[s:s + batch_size],
                               pairs[s:s + batch_size] if pairs else None, truncation=True,
                               max_length=lm.max_length, padding=True, return_tensors="pt")
            probs = torch.softmax(lm.model(**enc).logits.float(), -1)
            for row in probs.tolist():
                best = max(range(len(row)), key=row.__getitem__)
                out.append({"prediction": lm.labels[best],
                            "probabilities": dict(zip(lm.labels, row))})
    return out


# ---- generation ----------------------------------------------------------------------------

def chat_messages(lm: LoadedModel, message: str, history: list[dict] | None = None,
                  system_prompt: str = "") -> list[dict]:
    msgs = []
    system = system_prompt or lm.system_prompt
    if system:
        msgs.append({"role": "system", "content": system})
    # A chat widget hands earlier turns back as lists of typed parts ({"type": "text",
    # "text": ...}), not strings: flatten them the way training flattens such data.
    msgs += [{"role": m["role"], "content": content_text(m.get("content"))[0]}
             for m in (history or []) if m.get("role") in ("user", "assistant")]
    msgs.append({"role": "user", "content": content_text(message)[0]})
    return msgs


def prompt_text(lm: LoadedModel, messages: list[dict]) -> str:
    """The text a model is given for a conversation (its chat template, or T5's source)."""
    mod = lm.module
    if lm.family == "gpt":
        return mod.render_prompt(lm.tokenizer, messages)
    src, _ = mod.source_target({"messages": messages + [{"role": "assistant", "content": ""}]})
    return src


def _sampling(temperature: float, top_p: float) -> dict:
    return {"temperature": temperature, "top_p": top_p} if temperature and temperature > 0 \
        else {}


def generate_stream(lm: LoadedModel, messages: list[dict], max_new_tokens: int = 256,
                    temperature: float = 0.7, top_p: float = 0.9):
    """Yields the reply so far, token by token (a thread runs generate into a streamer)."""
    from transformers import TextIteratorStreamer
    source = prompt_text(lm, messages)
    tok = lm.tokenizer
    enc = tok(source, return_tensors="pt",
              add_special_tokens=not (lm.family == "gpt" and tok.chat_template))
    enc, max_new_tokens = _fit(lm, enc, max_new_tokens)
    streamer = TextIteratorStreamer(tok, skip_prompt=lm.family == "gpt",
                                    skip_special_tokens=True)
    kwargs = dict(**enc, max_new_tokens=max_new_tokens, streamer=streamer,
                  do_sample=bool(temperature and temperature > 0),
                  pad_token_id=tok.pad_token_id, **_sampling(temperature, top_p))
    errors: list[BaseException] = []

    def work():
        try:
            with lm.lock:
                lm.model.generate(**kwargs)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(e)
            streamer.end()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    text = ""
    for piece in streamer:
        text += piece
        # A character split over byte tokens decodes as U+FFFD until its last byte arrives,
        # and an untrained model's stray bytes never form one: show whole characters only.
        yield text.replace(REPLACEMENT, "")
    thread.join()
    if errors:
        raise InferenceError(f"Generation failed: {errors[0]}")


def _fit(lm: LoadedModel, enc, max_new_tokens: int):
    """Keep the prompt's end (the latest turns: the new message is never cut off) within the
    model's input length, and prompt + reply within a GPT's positions (past its last position
    a GPT-2 fails with 'index out of range', ending a long chat)."""
    config = getattr(lm.model, "config", None)
    room = (getattr(config, "n_positions", None) or getattr(
        config, "max_position_embeddings", None)) if lm.family == "gpt" else None
    keep = min(lm.max_length, max(room - max_new_tokens, room // 2)) if room else lm.max_length
    if enc["input_ids"].shape[1] > keep:
        enc = {k: v[:, -keep:] for k, v in enc.items()}
    if room:
        max_new_tokens = max(1, min(max_new_tokens, room - enc["input_ids"].shape[1]))
    return enc, max_new_tokens


def generate_text(lm: LoadedModel, messages: list[dict], max_new_tokens: int = 256,
                  temperature: float = 0.0, top_p: float = 1.0) -> str:
    text = ""
    for text in generate_stream(lm, messages, max_new_tokens, temperature, top_p):
        pass
    return text.strip()


# ---- files ---------------------------------------------------------------------------------

def predict_texts(lm: LoadedModel, texts: list[str], max_new_tokens: int = 128) -> list[dict]:
    if lm.task == "classification":
        return [{"input": t, **r} for t, r in zip(texts, classify(lm, texts))]
    return [{"input": t, "prediction": generate_text(lm, chat_messages(lm, t),
                                                     max_new_tokens=max_new_tokens)}
            for t in texts]


def _read_inputs(lm: LoadedModel, path: str):
    """Read a file with the data layer and find the input column(s) for this task."""
    from .data import inspect_file
    # Every row is a row to predict or score: the duplicate check (exclude, for training)
    # dropped repeated rows silently ("Predicted 99 rows" of 100).
    ins = inspect_file(path, task=lm.task, family=lm.family, fixes={"duplicate": "keep"})
    return ins


def predict_file(lm: LoadedModel, path: str, out: str | None = None,
                 max_new_tokens: int = 128) -> list[dict]:
    """Every row's prediction (kept in memory), also written to `out` as they come."""
    return _predict(lm, path, out, max_new_tokens, keep=True).rows


def predict_to_file(lm: LoadedModel, path: str, out: str, max_new_tokens: int = 128) -> int:
    """Stream a file's predictions to `out` (sorted, token-sized batches; see predict.py)
    holding none of them; returns how many rows were written."""
    return _predict(lm, path, out, max_new_tokens, keep=False).count


def _predict(lm: LoadedModel, path: str, out, max_new_tokens: int, keep: bool):
    from .predict import predict_frame
    return predict_frame(lm, _read_inputs(lm, path).examples, path, out, keep=keep,
                         generate=lambda msgs: generate_text(lm, msgs, max_new_tokens))


def evaluate_file(lm: LoadedModel, path: str) -> dict:
    """Metrics of a model on a labelled file that was not used in training."""
    ins = _read_inputs(lm, path)
    ex = ins.examples
    if not len(ex):
        raise InferenceError(f"{shown_path(path)} has no usable rows to evaluate on.")
    if lm.task == "classification":
        unknown = sorted(set(ex["label"].astype(str)) - set(lm.labels))
        if unknown:
            raise InferenceError(f"{shown_path(path)} has labels the model was not trained on: "
                                 f"{', '.join(unknown[:5])}; the model knows "
                                 f"{', '.join(lm.labels)}.")
        results = classify(lm, ex["text"].astype(str).tolist(),
                           ex["text_pair"].astype(str).tolist() if "text_pair" in ex else None)
        index = {n: i for i, n in enumerate(lm.labels)}
        pred = [index[r["prediction"]] for r in results]
        gold = [index[str(x)] for x in ex["label"]]
        return {**classification_metrics(pred, gold, lm.labels), "rows": len(ex)}
    return {**generation_loss(lm, ex), **_generation_scores(lm, ex), "rows": len(ex)}


def generation_loss(lm: LoadedModel, frame, batch_size: int = 8) -> dict:
    import math

    import torch
    from .config import JobConfig
    job = JobConfig()
    job.train.max_length = lm.max_length
    ds, _ = lm.module.build_dataset(frame, lm.tokenizer, job)
    collate = lm.module.make_collator(lm.tokenizer, lm.model)
    total, count = 0.0, 0
    with lm.lock, torch.no_grad():
        for s in range(0, len(ds), batch_size):
            batch = collate([ds[i] for i in range(s, min(s + batch_size, len(ds)))])
            batch = {k: v for k, v in batch.items() if k in ("input_ids", "attention_mask",
                                                            "labels", "decoder_input_ids")}
            n = int((batch["labels"] != -100).sum())
            total += float(lm.model(**batch).loss) * n
            count += n
    loss = total / max(count, 1)
    return {"eval_loss": loss, "perplexity": math.exp(min(loss, 50))}


def _generation_scores(lm: LoadedModel, frame, limit: int = 64) -> dict:
    from .config import JobConfig
    job = JobConfig()
    job.train.generation_samples = limit
    job.train.max_length = lm.max_length
    with lm.lock:
        out = lm.module.generate_eval(lm.model, lm.tokenizer, frame, job)
    out.pop("samples", None)
    return out
