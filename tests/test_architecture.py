"""The shape of the engine, checked: no import cycles, small modules, no gradio, no error
dispatch by class-name strings, one owner for run-folder file names."""
from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

from conftest import ROOT

STUDIO = ROOT / "studio"
MAX_LINES = 350


def engine_modules() -> dict[str, Path]:
    out = {}
    for path in STUDIO.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Engine modules `name` imports (at any depth in the file: lazy imports count too)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (c := visit(m)):
                return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_no_import_cycle_between_engine_modules():
    mods = engine_modules()
    known = set(mods)
    # A package's __init__ re-exporting its own modules is not a cycle of meaning.
    graph = {n: {m for m in imports_of(n, p, known) if not m.startswith(n + ".")}
             for n, p in mods.items()}
    graph = {n: {m for m in deps if not (mods[m].name == "__init__.py"
                                         and n.startswith(m + "."))}
             for n, deps in graph.items()}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_find_cycle_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_engine_modules_are_small():
    # A wording catalogue (studio/wording/<language>.py) is one table with a sentence per
    # code: it grows with the codes and holds no logic, so it is not held to the limit.
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for name, p in engine_modules().items() if not name.startswith("studio.wording.")}
    assert not {k: v for k, v in sizes.items() if v > MAX_LINES}


def test_engine_never_imports_gradio():
    for name, path in engine_modules().items():
        assert not re.search(r"^\s*(import gradio|from gradio)", path.read_text(), re.M), name


def test_no_error_dispatch_by_class_name():
    pattern = re.compile(r"type\(\w+\)\.__name__\s*(==|in|!=)")
    for folder in ("studio", "components"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not pattern.search(path.read_text()), path


def test_run_folder_file_names_live_in_runfolder_only():
    names = re.compile(r"[\"'](events\.jsonl|metrics\.json|train\.log|stdout\.log|STOP|"
                       r"studio\.json|(predictions|samples)_(\{|before|after))")
    offenders = [str(p.relative_to(ROOT)) for folder in ("studio", "components")
                 for p in (ROOT / folder).rglob("*.py")
                 if p.name != "runfolder.py" and names.search(p.read_text())]
    assert offenders == []


def test_ingestion_pipeline_is_its_own_package():
    data = STUDIO / "data"
    assert (data / "__init__.py").exists()
    flat = {p.stem for p in STUDIO.glob("*.py")}
    assert not flat & {"formats", "delimited", "encodings", "jsonfiles", "layouts", "roles",
                       "normalise", "checks", "splits"}


# ---- the page: five sibling steps, shallow ------------------------------------------------

COMPONENTS = ROOT / "components"
# The page's five steps, siblings: what two of them share lives in a module of its own
# (run_picker: the run lists of Try, Export and Compare; form: the settings form and a run's
# settings; verdicts; studio.leaderboard's grouping), never inside one of them.
STEPS = ("data_step", "model_step", "train_step", "try_step", "runs_step")
# Floors of the page: ui -> a step -> a panel it shows -> a panel inside that one.
PAGE_FLOORS = 4


def modules_under(folder: Path) -> dict[str, Path]:
    out = {}
    for path in folder.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Who imports whom among `mods`, lazy imports included; a package's __init__ importing its
    own modules, and a module importing its own package, are not edges of meaning."""
    known = set(mods)
    graph = {n: {m for m in imports_of(n, p, known) if not m.startswith(n + ".")}
             for n, p in mods.items()}
    return {n: {m for m in deps if not (mods[m].name == "__init__.py" and n.startswith(m + "."))}
            for n, deps in graph.items()}


def longest_chain(graph: dict[str, set[str]], among: set[str]) -> list[str]:
    """The longest import chain that stays inside `among` (the graph has no cycle)."""
    @functools.cache
    def chain(n: str) -> tuple[str, ...]:
        below = [chain(m) for m in graph.get(n, ()) if m in among]
        return (n, *max(below, key=len, default=()))
    return list(max((chain(n) for n in sorted(among)), key=len, default=()))


def page_modules(mods: dict[str, Path]) -> set[str]:
    """The modules that lay out part of the page (a top-level `build` or `panel`), and ui."""
    found = {"components.ui"}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.FunctionDef) and n.name in ("build", "panel")
               for n in tree.body):
            found.add(name)
    return found


def test_no_import_cycle_anywhere():
    mods = {**modules_under(STUDIO), **modules_under(COMPONENTS), "app": ROOT / "app.py"}
    graph = import_graph(mods)
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_no_step_imports_another_step():
    mods = modules_under(COMPONENTS)
    steps = {"components." + s for s in STEPS}
    assert steps <= set(mods)
    graph = import_graph(mods)
    # Only the page itself (ui) builds steps; a panel that reached into a step made the
    # export_panel <-> try_step circle.
    offenders = {n: sorted(graph[n] & steps) for n in mods
                 if n not in ("components", "components.ui") and graph[n] & steps}
    assert offenders == {}


def test_the_page_is_at_most_four_floors_deep():
    mods = modules_under(COMPONENTS)
    graph = import_graph(mods)
    assert find_cycle(graph) is None  # a circle has no floors to count
    chain = longest_chain(graph, page_modules(mods))
    assert chain[0] == "components.ui" and len(chain) <= PAGE_FLOORS, " -> ".join(chain)


def test_longest_chain_counts_floors():
    graph = {"ui": {"step", "common"}, "step": {"panel", "common"}, "panel": {"common"},
             "common": set()}
    assert longest_chain(graph, set(graph)) == ["ui", "step", "panel", "common"]
    assert longest_chain(graph, {"ui", "step", "common"}) == ["ui", "step", "common"]
