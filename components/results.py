"""What a finished run left behind, as tables and a picture: before/after metrics, the
confusion matrix, misclassified validation rows, generated samples. Every file is read through
the run's `studio.runs.RunFolder`, which owns the folder's names and formats."""
from __future__ import annotations

import pandas as pd

from . import fmt
from .i18n import tr


def before_after(folder, lang: str = "en") -> pd.DataFrame:
    """metric | before | after, for every scalar metric either side reports, in the page's
    order and words."""
    m = folder.metrics()
    before, after = m.get("before") or {}, m.get("after") or {}
    names = [k for k in dict.fromkeys([*before, *after])
             if isinstance(before.get(k, after.get(k)), (int, float))]
    names.sort(key=lambda k: fmt.SCORES.index(k) if k in fmt.SCORES else len(fmt.SCORES))
    return pd.DataFrame({tr(lang, "col_metric"): [fmt.metric_name(k, lang) for k in names],
                         tr(lang, "col_before"): [fmt.metric(before.get(k)) for k in names],
                         tr(lang, "col_after"): [fmt.metric(after.get(k)) for k in names]})


# Short columns first: the label, the prediction and its confidence stay in view whatever
# the length of the text.
MISCLASSIFIED = ("row", "label", "predicted", "confidence", "text")
SAMPLES = ("prompt", "reference", "generated")


def misclassified(folder, lang: str = "en", limit: int = 200) -> pd.DataFrame:
    rows = [r for r in folder.outputs("predictions", "after")
            if r.get("label") != r.get("predicted")]
    frame = pd.DataFrame(rows[:limit], columns=list(MISCLASSIFIED))
    frame["confidence"] = frame["confidence"].map(lambda v: round(float(v), 3))
    return frame.rename(columns={c: tr(lang, "col_" + c) for c in MISCLASSIFIED})


def samples(folder, lang: str = "en", limit: int = 50) -> pd.DataFrame:
    rows = folder.outputs("samples", "after", limit)
    frame = pd.DataFrame(rows, columns=list(SAMPLES))
    return frame.rename(columns={c: tr(lang, "col_" + c) for c in SAMPLES})


def labels(folder) -> list[str]:
    """The fine-tuned classifier's labels, as its final metrics list them."""
    return [str(x) for x in (folder.metrics().get("after") or {}).get("labels") or []]


def confusion_image(folder, title: str = ""):
    """The confusion matrix of the fine-tuned model as a PIL image (rows: true label)."""
    after = folder.metrics().get("after") or {}
    # confusion_labels: the engine folds classes beyond its limit into "(other)", so the
    # picture stays bounded whatever the number of labels (older runs: labels).
    matrix = after.get("confusion_matrix")
    names = after.get("confusion_labels") or after.get("labels")
    if not matrix or not names:
        return None
    return draw_matrix(matrix, [str(x) for x in names], title)


def draw_matrix(matrix: list[list[int]], labels: list[str], title: str = ""):
    from PIL import Image, ImageDraw, ImageFont
    n = len(labels)
    cell = max(40, min(90, 480 // max(n, 1)))
    font = _font(14)
    margin = 20 + max(font.getlength(lab[:18]) for lab in labels)
    # The column labels start below the band where gradio lays the image's title badge.
    top = BADGE + 30
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
            draw.text((x + cell / 2, y + cell / 2), str(v), fill=ink(colour), font=font,
                      anchor="mm")
        draw.text((margin + 10, top + i * cell + cell / 2), labels[i][:18], fill="black",
                  font=font, anchor="rm")
    for j in range(n):
        x = margin + 20 + j * cell + cell / 2
        draw.text((x, top - 8), labels[j][:18], fill="black", font=font, anchor="md")
    return img


BADGE = 44  # px: gradio's image label sits over the image's top left corner


def ink(fill: tuple[int, int, int]) -> str:
    """Black digits on a light cell, white on a saturated one (WCAG relative luminance: the
    colour with the higher contrast)."""
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    lum = 0.2126 * channel(fill[0]) + 0.7152 * channel(fill[1]) + 0.0722 * channel(fill[2])
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


# Fonts with CJK glyphs first: labels of a Chinese data set are Chinese (DejaVu draws boxes).
FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
         "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
         "DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(size: int):
    from PIL import ImageFont
    for name in FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)
