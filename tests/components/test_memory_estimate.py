"""The Train step shows the memory planner's estimate next to the memory free, and the
planner's sentence (English and Chinese) when a simulated small machine makes it change the
job."""
from __future__ import annotations

from helpers import make_job
from studio import jobs
from studio.jobs import memory


def tiny_chat(data_dir, **overrides):
    return make_job(data_dir / "chat.json", "tiny-gpt", "chat", **overrides)


def test_the_train_step_shows_the_estimate_and_the_change(data_dir, monkeypatch, tmp_path):
    from components import train_step
    from studio.runs import Registry
    state = {"valid": True, "task": "chat", "path": str(data_dir / "chat.json")}
    registry = Registry(tmp_path / "ws")
    out = train_step.estimate(registry, state, {"name": "tiny-gpt"}, "en", [], [])
    assert "Estimated peak memory " in out["estimate"] and " GB free (RAM)" in out["estimate"]
    big = jobs.plan_memory(tiny_chat(data_dir), budget_bytes=10**12).estimate.total
    small = jobs.plan_memory(tiny_chat(data_dir, train__batch_size=2),
                             budget_bytes=10**12).estimate.total
    budget_mb = (big + small) / 2 / memory.MB
    monkeypatch.setenv("STUDIO_MEMORY_BUDGET_MB", f"{budget_mb:.3f}")
    text = train_step.estimate(registry, state, {"name": "tiny-gpt"}, "en", [], [])["estimate"]
    assert f"of {budget_mb / 1024:.1f} GB free (RAM)." in text
    assert "tiny-gpt full fine-tuning at batch 16 needs" in text
    assert "(same effective batch 16)" in text
    zh = train_step.estimate(registry, state, {"name": "tiny-gpt"}, "zh-CN", [],
                             [])["estimate"]
    assert "预计峰值内存" in zh and "有效批大小仍为 16" in zh and "全量微调" in zh
