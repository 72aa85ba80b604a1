"""What a finished run left behind, as tables and a picture: before/after metrics, the
confusion matrix, misclassified validation rows, generated samples."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .common import fmt_metric


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def load_metrics(run_dir: Path) -> dict:
    try:
        return json.loads((Path(run_dir) / "metrics.json").read_text())
    except (OSError, ValueError):
        return {}


def before_after(run_dir: Path) -> pd.DataFrame:
    """metric | before | after, for every scalar metric either side reports."""
    m = load_metrics(run_dir)
    before, after = m.get("before") or {}, m.get("after") or {}
    names = [k for k in dict.fromkeys([*before, *after])
             if isinstance(before.get(k, after.get(k)), (int, float))]
    return pd.DataFrame({"metric": names, "before": [fmt_metric(before.get(k)) for k in names],
                         "after": [fmt_metric(after.get(k)) for k in names]})


def misclassified(run_dir: Path, limit: int = 200) -> pd.DataFrame:
    rows = [r for r in read_jsonl(Path(run_dir) / "predictions_after.jsonl")
            if r.get("label") != r.get("predicted")]
    cols = ["row", "text", "label", "predicted", "confidence"]
    frame = pd.DataFrame(rows[:limit], columns=cols)
    frame["confidence"] = frame["confidence"].map(lambda v: round(float(v), 3))
    return frame


def samples(run_dir: Path, limit: int = 50) -> pd.DataFrame:
    rows = read_jsonl(Path(run_dir) / "samples_after.jsonl")[:limit]
    return pd.DataFrame(rows, columns=["prompt", "reference", "generated"])


def confusion_image(run_dir: Path, title: str = ""):
    """The confusion matrix of the fine-tuned model as a PIL image (rows: true label)."""
    after = load_metrics(run_dir).get("after") or {}
    matrix, labels = after.get("confusion_matrix"), after.get("labels")
    if not matrix or not labels:
        return None
    return draw_matrix(matrix, [str(x) for x in labels], title)


def draw_matrix(matrix: list[list[int]], labels: list[str], title: str = ""):
    from PIL import Image, ImageDraw, ImageFont
    n = len(labels)
    cell = max(40, min(90, 480 // max(n, 1)))
    font = _font(14)
    margin = 20 + max(font.getlength(lab[:18]) for lab in labels)
    top = 20 + margin
    width = max(int(margin + 40 + n * cell), int(_font(14).getlength(title)) + 20)
    img = Image.new("RGB", (width, int(top + n * cell + 44)), "white")
    draw = ImageDraw.Draw(img)
    draw.text((10, top + n * cell + 14), title, fill="black", font=_font(14))
    peak = max(max(r) for r in matrix) or 1
    for i in range(n):
        for j in range(n):
            v = matrix[i][j]
            shade = int(255 - 200 * v / peak)
            x, y = margin + 20 + j * cell, top + i * cell
            colour = (shade, shade, 255) if i == j else (255, shade, shade)
            draw.rectangle([x, y, x + cell - 2, y + cell - 2], fill=colour, outline="#bbbbbb")
            draw.text((x + cell / 2, y + cell / 2), str(v), fill="black", font=font, anchor="mm")
        draw.text((margin + 10, top + i * cell + cell / 2), labels[i][:18], fill="black",
                  font=font, anchor="rm")
    for j in range(n):
        x = margin + 20 + j * cell + cell / 2
        draw.text((x, top - 8), labels[j][:18], fill="black", font=font, anchor="md")
    return img


def _font(size: int):
    from PIL import ImageFont
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)
