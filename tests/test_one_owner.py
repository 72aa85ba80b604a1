"""Every shared constant and run fact has one owner: a copy elsewhere (a literal task list, a
status tuple, the run label written again) fails here, and the owners answer what the copies
used to (`Run.label`, `Registry.active`)."""
from __future__ import annotations

import ast
import os
import re

from conftest import ROOT
from studio.config import JobConfig
from studio.runs import Registry

# The tree people and tools run: the engine, the page, the entry point, scripts and benchmark.
SOURCES = [p for folder in ("studio", "components", "scripts", "bench")
           for p in (ROOT / folder).rglob("*.py")] + [ROOT / "app.py"]
# literal -> (what it is, the only file allowed to spell it)
OWNED = {
    frozenset({"queued", "running"}): ("the active statuses", "studio/runs.py"),
    frozenset({"done", "failed", "stopped"}): ("the final statuses", "studio/events.py"),
    frozenset({"auto", "classification", "chat", "text2text"}): ("the task list",
                                                                 "studio/config.py"),
    frozenset({"auto", "full", "lora"}): ("the methods", "studio/config.py"),
    frozenset({"full", "lora"}): ("the methods", "studio/config.py"),
}


def literal_copies(path, root=ROOT) -> list[str]:
    """'file:line what' for each tuple/list/set of strings equal to an owned constant."""
    rel = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, (ast.Tuple, ast.List, ast.Set)) or not node.elts:
            continue
        if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            continue
        what, owner = OWNED.get(frozenset(e.value for e in node.elts), (None, None))
        if what and rel != owner:
            found.append(f"{rel}:{node.lineno} {what} (import it from {owner})")
    return found


def test_no_copy_of_an_owned_constant_outside_its_owner():
    copies = [c for path in SOURCES for c in literal_copies(path)]
    assert not copies, "\n".join(copies)


def test_the_check_sees_a_copy(tmp_path):
    (tmp_path / "x.py").write_text('LIVE = ("running", "queued")\nT = ["auto", "chat", '
                                   '"classification", "text2text"]\nOK = ("running",)\n')
    assert len(literal_copies(tmp_path / "x.py", tmp_path)) == 2


def test_the_run_label_is_written_once():
    pattern = re.compile(r"name\s*!=\s*\w+\.id")
    copies = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES if p.name != "runs.py"
              for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
              if pattern.search(line)]
    assert not copies, f"use Run.label: {copies}"


def new_run(registry, name="", model="tiny-bert", status="queued", owner=""):
    cfg = JobConfig(task="classification", name=name)
    cfg.data.train_file = "/data/x.csv"
    cfg.model.name = model
    return registry.new_run(cfg, status=status, owner=owner)


def test_run_label_is_the_name_or_else_the_model(tmp_path):
    registry = Registry(tmp_path)
    named, unnamed = new_run(registry, "my run"), new_run(registry, model="tiny-gpt")
    assert named.label == "my run" and named.named
    assert unnamed.label == "tiny-gpt" and not unnamed.named


def test_active_finds_an_old_running_run_behind_many_newer_ones(tmp_path):
    """`list(50)` + filter missed it: the queue thought a slot was free."""
    registry = Registry(tmp_path)
    old = new_run(registry, "old", status="running", owner="ann")
    registry.update(old.id, pid=os.getpid(), created=1.0)  # alive, and the oldest run
    for i in range(60):
        run = new_run(registry, f"done {i}", status="done", owner="ann")
        registry.update(run.id, created=100.0 + i)
    queued = new_run(registry, "next", owner="bob")
    assert old.id not in [r.id for r in registry.list(50)]
    assert [r.id for r in registry.active()] == [old.id, queued.id]  # oldest first
    assert [r.id for r in registry.active("ann")] == [old.id]
    assert registry.active("carl") == []


def test_active_leaves_out_a_run_whose_process_is_gone(tmp_path):
    registry = Registry(tmp_path)
    run = new_run(registry, status="running")
    registry.update(run.id, pid=2 ** 22 + 12345)  # no such process
    assert registry.active() == []
    assert registry.get(run.id).status == "failed"
