"""A classifier as model.onnx (dynamic batch and sequence axes, outputs `probabilities` and
`logits`) with its tokenizer and labels, checked with onnxruntime against the run's own
probabilities on the validation rows before it is handed out."""
from __future__ import annotations

import importlib.util
import inspect
import json
import logging
import warnings
from pathlib import Path

from ..runfolder import RunFolder
from .card import write_card
from .common import ExportError, Progress, load_model, report, save_tokenizer

log = logging.getLogger(__name__)
TOLERANCE = 1e-4
OPSET = 17
FALLBACK_TEXTS = ["I loved every minute of it.", "Terrible, would not recommend.",
                  "It was fine, I guess.", "x"]


def input_names(lm) -> list[str]:
    """What the tokenizer returns that the model's forward takes, in the forward's order."""
    enc = lm.tokenizer(["a b", "c"], padding=True)
    accepted = list(inspect.signature(lm.model.forward).parameters)
    return [n for n in accepted if n in enc]


def _wrapper(model, names: list[str]):
    import torch

    class Probabilities(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            logits = self.model(**dict(zip(names, inputs))).logits.float()
            return torch.softmax(logits, -1), logits

    return Probabilities().eval()


def _export(lm, names: list[str], path: Path) -> str:
    """torch.onnx's TorchScript exporter (fast, dynamic axes); the dynamo one if it fails."""
    import torch
    enc = lm.tokenizer(["a b c", "d"], padding=True, return_tensors="pt")
    args = tuple(enc[n] for n in names)
    module = _wrapper(lm.model, names)
    outputs = ["probabilities", "logits"]
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        try:
            torch.onnx.export(module, args, str(path), input_names=names, output_names=outputs,
                              dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names}
                              | {o: {0: "batch"} for o in outputs},
                              opset_version=OPSET, dynamo=False)
            return "torchscript"
        except Exception as e:  # noqa: BLE001 - try the other exporter before giving up
            log.info("TorchScript ONNX export failed (%s); trying the dynamo exporter", e)
        batch, seq = torch.export.Dim("batch"), torch.export.Dim("sequence")
        try:
            torch.onnx.export(module, args, str(path), input_names=names, output_names=outputs,
                              dynamic_shapes=tuple({0: batch, 1: seq} for _ in names),
                              dynamo=True, external_data=False)
        except Exception as e:  # noqa: BLE001 - both exporters refused this model
            first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
            raise ExportError(code="onnx_failed", detail=first) from None
        return "dynamo"


def check_with_onnxruntime(lm, path: Path, texts: list[str], pairs: list[str] | None,
                           batch_size: int = 16) -> float:
    """Largest difference between onnxruntime's and the run's probabilities on `texts`."""
    import numpy as np
    import onnxruntime as ort
    from ..inference import classify
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    expected = classify(lm, texts, pairs, batch_size=batch_size)
    worst = 0.0
    for s in range(0, len(texts), batch_size):
        enc = lm.tokenizer(texts[s:s + batch_size], pairs[s:s + batch_size] if pairs else None,
                           truncation=True, max_length=lm.max_length, padding=True,
                           return_tensors="np")
        probs = session.run(["probabilities"], {n: enc[n].astype(np.int64) for n in names})[0]
        ref = np.array([[r["probabilities"][lab] for lab in lm.labels]
                        for r in expected[s:s + batch_size]])
        worst = max(worst, float(np.abs(probs - ref).max()))
    return worst


def validation_texts(folder: RunFolder,
                     limit: int | None = None) -> tuple[list[str], list[str] | None]:
    rows = [r for r in folder.outputs("predictions", "after", limit=limit) if r.get("text")]
    if not rows:
        return FALLBACK_TEXTS, None
    texts = [str(r["text"]) for r in rows]
    pairs = [str(r.get("text_pair", "")) for r in rows] if "text_pair" in rows[0] else None
    return texts, pairs


def write_onnx(folder: RunFolder, target: Path, info: dict,
               progress: Progress | None = None) -> dict:
    from .availability import refuse_unless_available
    refuse_unless_available(folder, "onnx")
    if any(importlib.util.find_spec(m) is None for m in ("onnx", "onnxruntime")):
        raise ExportError(code="onnx_missing")
    report(progress, 0.05, "Loading the model")
    lm = load_model(folder)
    target.mkdir(parents=True, exist_ok=True)
    path = target / "model.onnx"
    report(progress, 0.3, "Tracing the model to ONNX")
    exporter = _export(lm, input_names(lm), path)
    report(progress, 0.7, "Checking the ONNX model with onnxruntime on the validation rows")
    texts, pairs = validation_texts(folder, limit=None)  # every row: the card says how many
    worst = check_with_onnxruntime(lm, path, texts, pairs)
    if worst > TOLERANCE:
        raise ExportError(code="onnx_mismatch", difference=worst, tolerance=TOLERANCE)
    save_tokenizer(lm.tokenizer, target)
    lm.model.config.save_pretrained(target)
    (target / "labels.json").write_text(json.dumps(
        {"labels": lm.labels, "id2label": dict(enumerate(lm.labels))}, indent=2,
        ensure_ascii=False), encoding="utf-8")
    report(progress, 0.9, "Writing the model card")
    write_card(folder, target, info, "onnx", location="path/to/this/folder", tags=["onnx"],
               library="onnx",
               notes=[f"Checked with onnxruntime: probabilities within {worst:.1g} of the "
                      f"run's own on {len(texts)} validation rows."])
    return {"exporter": exporter, "opset": OPSET, "max_difference": worst,
            "checked_rows": len(texts)}
