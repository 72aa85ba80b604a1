"""The loss curve of a run as a PNG, drawn with Pillow from the run's log and eval events."""
from __future__ import annotations

from pathlib import Path

WIDTH, HEIGHT = 720, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 50
TRAIN, EVAL, AXIS, GRID = (31, 119, 180), (214, 39, 40), (60, 60, 60), (225, 225, 225)


def loss_points(events: list[dict]) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(step, training loss) from log events and (step, validation loss) from evaluations."""
    train = [(float(e["step"]), float(e["loss"])) for e in events
             if e.get("type") == "log" and isinstance(e.get("loss"), (int, float))
             and e.get("step") is not None]
    evals = [(float(e.get("step") or 0), float(e["metrics"]["eval_loss"])) for e in events
             if e.get("type") == "eval" and isinstance(e.get("metrics"), dict)
             and isinstance(e["metrics"].get("eval_loss"), (int, float))
             and e.get("phase") in ("before", "during")]
    return train, evals


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    return [lo + (hi - lo) * i / (n - 1) for i in range(n)]


def _fmt(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def draw_loss(events: list[dict], path: Path, title: str = "Loss") -> bool:
    """Write the chart; False (and no file) when the run logged no loss at all."""
    from PIL import Image, ImageDraw, ImageFont
    train, evals = loss_points(events)
    points = train + evals
    if not points:
        return False
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys)
    pad = (y1 - y0) * 0.05 or abs(y0) * 0.05 or 0.5
    y0, y1 = y0 - pad, y1 + pad
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x: float, y: float) -> tuple[float, float]:
        return LEFT + (x - x0) / (x1 - x0) * pw, TOP + (1 - (y - y0) / (y1 - y0)) * ph

    for v in _ticks(y0, y1):
        _, py = at(x0, v)
        d.line([(LEFT, py), (LEFT + pw, py)], fill=GRID)
        d.text((LEFT - 8, py), _fmt(v), fill=AXIS, font=font, anchor="rm")
    for v in _ticks(x0, x1):
        px, _ = at(v, y0)
        d.text((px, TOP + ph + 8), f"{v:.0f}", fill=AXIS, font=font, anchor="mt")
    d.rectangle([LEFT, TOP, LEFT + pw, TOP + ph], outline=AXIS)
    d.text((LEFT + pw / 2, HEIGHT - 14), "step", fill=AXIS, font=font, anchor="mm")
    d.text((LEFT, 14), title, fill=AXIS, font=font, anchor="lm")
    if len(train) > 1:
        d.line([at(x, y) for x, y in train], fill=TRAIN, width=2)
    for x, y in train[:1] if len(train) == 1 else []:
        px, py = at(x, y)
        d.ellipse([px - 3, py - 3, px + 3, py + 3], fill=TRAIN)
    for x, y in evals:
        px, py = at(x, y)
        d.ellipse([px - 4, py - 4, px + 4, py + 4], outline=EVAL, width=2)
    _legend(d, font, bool(train), bool(evals))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG")
    return True


def _legend(d, font, train: bool, evals: bool) -> None:
    x = WIDTH - RIGHT - 250
    if train:
        d.line([(x, 14), (x + 24, 14)], fill=TRAIN, width=2)
        d.text((x + 30, 14), "training loss", fill=AXIS, font=font, anchor="lm")
    if evals:
        d.ellipse([x + 126, 10, x + 134, 18], outline=EVAL, width=2)
        d.text((x + 140, 14), "validation loss", fill=AXIS, font=font, anchor="lm")
