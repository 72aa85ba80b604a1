import json

from studio.events import EventTail, EventWriter, final_event


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


def test_exactly_one_final_event(tmp_path):
    path = tmp_path / "events.jsonl"
    w = EventWriter(path)
    w.emit("done", metrics={})
    w.emit("failed", reason="late")
    events = [json.loads(x) for x in path.read_text().splitlines()]
    assert [e["type"] for e in events] == ["done"]
    assert final_event(events)["type"] == "done"
