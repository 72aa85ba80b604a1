"""Echo a run's events to the terminal while `python -m studio train` runs: step, loss, speed."""
from __future__ import annotations

import sys
import threading

from .events import EventTail


def format_event(e: dict) -> str | None:
    t = e.get("type")
    if t == "start":
        return (f"start: {e['task']} on {e['model']} ({e['family']}, {e['method']}), "
                f"{e['trainable']:,}/{e['parameters']:,} trainable parameters, "
                f"{e['train_rows']} train / {e['validation_rows']} validation rows, "
                f"{e['total_steps']} steps, {e.get('precision')}")
    if t == "log":
        parts = [f"step {e['step']}/{e.get('total_steps', '?')}", f"epoch {e['epoch']:.2f}",
                 f"loss {e['loss']:.4f}"]
        if e.get("samples_per_second"):
            parts.append(f"{e['samples_per_second']:.1f} samples/s")
        if e.get("tokens_per_second"):
            parts.append(f"{e['tokens_per_second']:.0f} tokens/s")
        if e.get("eta") is not None:
            parts.append(f"eta {e['eta']:.0f}s")
        return "  ".join(parts)
    if t == "eval":
        metrics = ", ".join(f"{k}={v:.4g}" for k, v in e.get("metrics", {}).items()
                            if isinstance(v, (int, float)))
        return f"eval ({e.get('phase')}, step {e.get('step')}): {metrics}"
    if t == "message":
        return f"note: {e.get('text')}"
    if t == "done":
        return f"done in {e.get('elapsed')}s; model saved to {e.get('model_path')}"
    if t == "stopped":
        return f"stopped at step {e.get('step')}; {e.get('reason', '')}"
    if t == "failed":
        return None  # the CLI prints the reason on stderr
    return None


class ConsoleEcho:
    def __init__(self, path, enabled: bool = True, interval: float = 0.5, stream=None,
                 offset: int = 0):
        self.tail = EventTail(path, offset)
        self.enabled, self.interval = enabled, interval
        self.stream = stream or sys.stdout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _flush(self) -> None:
        for e in self.tail.read():
            line = format_event(e)
            if line:
                print(line, file=self.stream, flush=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._flush()

    def __enter__(self):
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self._stop.set()
            self._thread.join()
            self._flush()
