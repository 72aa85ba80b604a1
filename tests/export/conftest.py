"""Trained runs the export tests share (each trained once per session, a few seconds each)."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_job, train_in_process
from studio.runfolder import RunFolder

from .tiny_decoder import build_tiny_decoder


@pytest.fixture(scope="session")
def export_ws(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("export-ws")


def _train(cfg, ws: Path) -> Path:
    code, run_dir, _ = train_in_process(cfg, ws)
    assert code == 0, RunFolder(run_dir).log_file.read_text()[-2000:]
    return run_dir


@pytest.fixture(scope="session")
def bert_run(data_dir, export_ws) -> Path:
    """tiny-bert, full fine-tuning, classification."""
    return _train(make_job(data_dir / "sentiment.csv", "tiny-bert", train__epochs=1), export_ws)


@pytest.fixture(scope="session")
def gpt_lora_run(data_dir, export_ws) -> Path:
    """tiny-gpt (GPT-2 architecture), LoRA, chat."""
    return _train(make_job(data_dir / "chat.json", "tiny-gpt", method__method="lora",
                           train__epochs=1, train__learning_rate=0.05), export_ws)


@pytest.fixture(scope="session")
def llama_lora_run(data_dir, export_ws, tmp_path_factory) -> Path:
    """A tiny random Llama with a LoRA adapter trained on chat data, and a system prompt."""
    base = build_tiny_decoder(tmp_path_factory.mktemp("tiny-llama") / "model")
    return _train(make_job(data_dir / "chat.json", str(base), method__method="lora",
                           train__epochs=1, train__learning_rate=0.05,
                           data__system_prompt="You repeat words."), export_ws)


@pytest.fixture(scope="session")
def t5_run(data_dir, export_ws) -> Path:
    """tiny-t5, full fine-tuning, text2text (input -> target)."""
    return _train(make_job(data_dir / "pairs.csv", "tiny-t5", train__max_steps=2,
                           train__eval_before=False), export_ws)


@pytest.fixture
def forget_settings(export_ws):
    """Chat settings kept by one test's export are remembered in the run folder; forget them
    afterwards so the next test sees the defaults."""
    yield
    for kept in export_ws.glob("runs/*/exports/chat_settings.json"):
        kept.unlink()
