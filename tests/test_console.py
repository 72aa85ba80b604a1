"""studio.console: the lines `python -m studio train` prints for each event."""
import io

from studio.console import ConsoleEcho, format_event
from studio.events import EventWriter


def test_start_line_names_the_job():
    line = format_event({"type": "start", "task": "classification", "model": "tiny-bert",
                         "family": "bert", "method": "full", "trainable": 12345,
                         "parameters": 1234567, "train_rows": 216, "validation_rows": 24,
                         "total_steps": 14, "precision": "fp32"})
    assert line == ("start: classification on tiny-bert (bert, full), 12,345/1,234,567 "
                    "trainable parameters, 216 train / 24 validation rows, 14 steps, fp32")


def test_log_line_has_step_loss_speed_and_eta():
    line = format_event({"type": "log", "step": 3, "total_steps": 10, "epoch": 0.5,
                         "loss": 0.69314, "samples_per_second": 41.26,
                         "tokens_per_second": 1234.5, "eta": 12.4})
    assert line == ("step 3/10  epoch 0.50  loss 0.6931  41.3 samples/s  1234 tokens/s  "
                    "eta 12s")
    bare = format_event({"type": "log", "step": 1, "epoch": 0.0, "loss": 1.0})
    assert bare == "step 1/?  epoch 0.00  loss 1.0000"


def test_other_lines():
    assert format_event({"type": "eval", "phase": "after", "step": 5,
                         "metrics": {"accuracy": 0.875, "note": "x"}}) == \
        "eval (after, step 5): accuracy=0.875"
    assert format_event({"type": "message", "text": "3 rows excluded"}) == \
        "note: 3 rows excluded"
    assert format_event({"type": "done", "elapsed": 4.2, "model_path": "/r/model"}) == \
        "done in 4.2s; model saved to /r/model"
    assert format_event({"type": "stopped", "step": 7, "reason": "Stopped on request."}) == \
        "stopped at step 7; Stopped on request."
    assert format_event({"type": "failed", "reason": "x"}) is None  # stderr gets it instead
    assert format_event({"type": "checkpoint", "step": 2}) is None


def test_echo_prints_every_event_written_while_it_ran(tmp_path):
    path = tmp_path / "events.jsonl"
    out = io.StringIO()
    w = EventWriter(path)
    with ConsoleEcho(path, interval=0.01, stream=out):
        w.emit("message", text="hello")
        w.emit("checkpoint", step=1, path="x")
        w.emit("done", elapsed=1.0, model_path="m")
    assert out.getvalue().splitlines() == ["note: hello", "done in 1.0s; model saved to m"]


def test_echo_disabled_prints_nothing(tmp_path):
    path = tmp_path / "events.jsonl"
    out = io.StringIO()
    with ConsoleEcho(path, enabled=False, stream=out):
        EventWriter(path).emit("message", text="hello")
    assert out.getvalue() == ""
