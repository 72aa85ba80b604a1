"""studio.events: the append-only event log, its writer and its tailing readers."""
import json

from studio.events import (FINAL_TYPES, EventTail, EventWriter, final_event, read_all,
                           read_new_lines)


def test_tail_reads_only_new_whole_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    w = EventWriter(path)
    tail = EventTail(path)
    assert tail.read() == []  # no file yet
    w.emit("start", total_steps=3)
    w.emit("log", step=1, loss=float("nan"))
    first = tail.read()
    assert [e["type"] for e in first] == ["start", "log"]
    assert first[1]["loss"] is None  # NaN becomes null so every reader can parse it
    with open(path, "a") as f:
        f.write('{"type": "log", "step": 2')  # a writer mid-line
    assert tail.read() == []
    offset = tail.offset
    with open(path, "a") as f:
        f.write(', "loss": 1.0}\n')
    assert [e["step"] for e in tail.read()] == [2]
    assert tail.offset > offset


def test_every_event_has_type_and_time_and_non_finite_numbers_become_null(tmp_path):
    path = tmp_path / "events.jsonl"
    event = EventWriter(path).emit("eval", metrics={"loss": float("inf"), "acc": 0.5},
                                   values=[1.0, float("-inf")])
    line = json.loads(path.read_text())
    assert line == event
    assert line["type"] == "eval" and isinstance(line["time"], float)
    assert line["metrics"] == {"loss": None, "acc": 0.5} and line["values"] == [1.0, None]


def test_exactly_one_final_event(tmp_path):
    path = tmp_path / "events.jsonl"
    w = EventWriter(path)
    w.emit("done", metrics={})
    w.emit("failed", reason="late")
    w.emit("message", text="after the end")  # not final: still written
    events = read_all(path)
    assert [e["type"] for e in events] == ["done", "message"]
    assert final_event(events)["type"] == "done"
    assert set(FINAL_TYPES) == {"done", "failed", "stopped"}


def test_a_disabled_writer_writes_nothing(tmp_path):
    """Ranks other than 0 under torchrun build their events but never write them."""
    path = tmp_path / "events.jsonl"
    event = EventWriter(path, enabled=False).emit("start", run_id="x")
    assert event["type"] == "start" and not path.exists()


def test_read_all_skips_torn_lines_and_json_that_is_not_an_object(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text('{"type": "start"}\nnull\n[1, 2]\n"text"\n{"type": "lo\n'
                    '{"type": "done"}\n{"type": "partial"')
    assert [e["type"] for e in read_all(path)] == ["start", "done"]
    assert read_all(tmp_path / "missing.jsonl") == []


def test_final_event_is_the_last_final_one():
    assert final_event([]) is None
    assert final_event([{"type": "start"}, {"type": "log"}]) is None
    events = [{"type": "stopped", "step": 3}, {"type": "log"}, {"type": "done"},
              {"type": "message"}]
    assert final_event(events) == {"type": "done"}


def test_read_new_lines_returns_whole_lines_and_the_next_offset(tmp_path):
    path = tmp_path / "train.log"
    assert read_new_lines(path, 0) == ([], 0)
    path.write_bytes("first\nsecond ü\nhalf".encode())
    lines, offset = read_new_lines(path, 0)
    assert lines == ["first", "second ü"] and offset == len("first\nsecond ü\n".encode())
    assert read_new_lines(path, offset) == ([], offset)  # the half line waits
    with open(path, "ab") as f:
        f.write(b" done\n")
    assert read_new_lines(path, offset) == (["half done"], path.stat().st_size)
