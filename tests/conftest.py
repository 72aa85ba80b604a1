"""Shared test fixtures: no network, tiny local models, small learnable toy data sets."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

POSITIVE = ["great", "wonderful", "excellent", "lovely", "superb", "delightful", "fantastic"]
NEGATIVE = ["awful", "terrible", "boring", "dreadful", "horrible", "dull", "poor"]
SUBJECTS = ["the film", "this movie", "the plot", "the acting", "the story", "the ending"]


def toy_sentiment(n: int, seed: int = 0) -> list[dict]:
    """Reviews whose label is given by one keyword; every row unique (no duplicates to drop)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        positive = i % 2 == 0
        word = rng.choice(POSITIVE if positive else NEGATIVE)
        # The id keeps rows unique; random so that it does not leak the label.
        rows.append({"text": f"review {rng.randint(0, 10**6)}: {rng.choice(SUBJECTS)} was {word}",
                     "label": "positive" if positive else "negative"})
    return rows


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 6)))


def toy_pairs(n: int, seed: int = 0) -> list[dict]:
    """Source -> target text: upper-case a random word (learnable by a tiny model)."""
    rng = random.Random(seed)
    return [{"source": w, "target": w.upper()} for w in (f"{_word(rng)}{i}" for i in range(n))]


def toy_chat(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        w = f"{_word(rng)}{i}"
        out.append({"instruction": f"Repeat the word {w}.", "input": "", "output": w})
    return out


# The tiers (README "Tests"): the default run keeps the quick breadth tests; each marker below
# names tests that take long, which run in CI (CI=true), with their --run-<marker> flag, or with
# --run-all. A marker is chosen by measured durations (`pytest --durations=0`), not by guess.
TIERS = {
    "slow": "trains a real pretrained model for minutes",
    "browser": "drives the app in headless Chromium",
    "heavy": "takes more than a few seconds here: a training run, a child process, a running app",
}


def pytest_addoption(parser):
    for mark, what in TIERS.items():
        parser.addoption(f"--run-{mark}", action="store_true",
                         help=f"also run the tests marked {mark} ({what}); always on in CI")
    parser.addoption("--run-all", action="store_true",
                     help="run every tier, as CI does (" + ", ".join(TIERS) + ")")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true")


def pytest_collection_modifyitems(config, items):
    """Tiered tests run in CI and on request; the default local run stays quick. A test that
    asks for the `browser` fixture is a browser test, and one that starts the app (through the
    `app_server` fixture) a heavy one, whether or not its module remembered the marker, so
    `-m "not browser"` and the default run agree. A browser test is not also made heavy, so
    that --run-browser alone runs every browser test."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
        if "app_server" in names and "browser" not in item.keywords:
            item.add_marker(pytest.mark.heavy)
    everything = config.getoption("--run-all") or in_ci()
    for mark in TIERS:
        if everything or config.getoption(f"--run-{mark}"):
            continue
        skip = pytest.mark.skip(reason=f"{mark}: runs in CI, or locally with --run-{mark} "
                                       f"or --run-all")
        for item in items:
            if mark in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("toydata")
    import pandas as pd
    pd.DataFrame(toy_sentiment(240)).to_csv(d / "sentiment.csv", index=False)
    pd.DataFrame(toy_sentiment(40, seed=1)).to_csv(d / "sentiment_test.csv", index=False)
    pd.DataFrame(toy_pairs(96)).to_csv(d / "pairs.csv", index=False)
    (d / "chat.json").write_text(json.dumps(toy_chat(64)))
    msgs = [{"messages": [{"role": "user", "content": f"Say {w}"},
                          {"role": "assistant", "content": w},
                          {"role": "user", "content": "Again"},
                          {"role": "assistant", "content": w}]} for w in ["yes", "no"] * 16]
    (d / "messages.jsonl").write_text("\n".join(json.dumps(m) for m in msgs))
    return d


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (the browser tests skip when it is missing)."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_server():
    """The one way a test starts the studio's web app: `app_server(workspace, *flags, env=...,
    timeout=...)` runs `python app.py --workspace W --port <free> *flags` (tests/hosted_app.App)
    and returns it once it answers. Every app it started is closed when the module's tests are
    done, so a module-scoped fixture shares one server between its tests; a test may close
    one sooner (app.close()) to restart over the same workspace."""
    from hosted_app import App
    started: list[App] = []

    def start(workspace: Path, *args: str, **kwargs) -> App:
        app = App(workspace, *args, **kwargs)
        started.append(app)
        return app

    yield start
    for app in started:
        app.close()


@pytest.fixture
def workspace(tmp_path, monkeypatch) -> Path:
    ws = tmp_path / "ws"
    monkeypatch.setenv("STUDIO_WORKSPACE", str(ws))
    return ws


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: int = 600) -> subprocess.CompletedProcess:
    """Run `python -m studio ...` exactly as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=cwd or ROOT,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where a browser test saves its screenshots: $STUDIO_SCREENSHOTS, else a temp folder."""
    folder = Path(os.environ.get("STUDIO_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
