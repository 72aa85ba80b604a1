"""Synthetic run folders for the advisor's rules: the events, metrics.json, job.yaml and
samples a run of that shape would leave, written through the engine's own writers."""
from __future__ import annotations

from pathlib import Path

from studio.config import JobConfig
from studio.events import EventWriter
from studio.runfolder import RunFolder


def fake_run(path: Path, losses=(), evals=(), after=None, samples=None, task="classification",
             model="tiny-bert", family="bert", method="full", lr=1e-3, epochs=3.0,
             max_steps=-1, rows=500, trainable=100_000, final="done", final_fields=None,
             patience=0) -> RunFolder:
    """losses: the logged training losses (None = NaN), one per step, spread over `epochs`;
    evals: validation losses at the end of each epoch."""
    path.mkdir(parents=True, exist_ok=True)
    folder = RunFolder(path)
    cfg = JobConfig(task=task)
    cfg.model.name, cfg.method.method = model, method
    cfg.train.learning_rate, cfg.train.epochs, cfg.train.max_steps = lr, epochs, max_steps
    cfg.train.early_stopping_patience = patience
    cfg.to_yaml(folder.job_file)
    w = EventWriter(folder.events_file)
    w.emit("start", run_id=path.name, task=task, model=model, family=family, method=method,
           parameters=trainable, trainable=trainable, train_rows=rows, epochs=epochs,
           batch_size=16, total_steps=len(losses))
    n = max(len(losses), 1)
    for i, loss in enumerate(losses, 1):
        w.emit("log", step=i, epoch=round(epochs * i / n, 4),
               loss=float("nan") if loss is None else loss, learning_rate=lr)
    for k, value in enumerate(evals, 1):
        w.emit("eval", phase="during", step=k * 10, epoch=float(k),
               metrics={"eval_loss": value})
    if after is not None:
        folder.write_metrics({"before": {}, "after": after})
    if samples is not None:
        folder.write_outputs("samples", "after", [{"prompt": "p", "reference": "r",
                                                   "generated": s} for s in samples])
    w.emit(final, **(final_fields or {}))
    return folder


def falling(n=30, start=2.0, end=0.3):
    """A healthy curve: loss falls geometrically and flattens out at `end`."""
    return [end + (start - end) * 0.5 ** i for i in range(n)]


def one_click(registry, run_dir: Path, lang: str = "en") -> dict:
    """The page's "Train again with these settings" on a finished run, with the form at its
    defaults: asserts that the click sets exactly the suggested fields, to the suggested
    values, and names each change; returns the click's outputs."""
    from components import advice_view, form
    paths = list(form.fields())
    values = [form.widget_default(p) for p in paths]
    shown = advice_view.run_advice(registry, Path(run_dir).name, lang)
    state = shown["advice_state"]
    assert state and state["suggestion"], "no finding with settings to apply"
    out = advice_view.apply_suggestion(state, paths, values, lang)
    assert set(out) == set(state["suggestion"]) | {"advice_message"}
    for path, value in state["suggestion"].items():
        assert out[path]["value"] == advice_view.form_value(path, value), path
        assert f"→ {advice_view.shown_value(path, value, lang)}" in out["advice_message"]
    return out
