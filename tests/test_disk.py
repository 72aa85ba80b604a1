"""studio.disk: the space a run needs, refused with numbers; what a full disk looks like."""
import errno
from collections import namedtuple

import pytest

from studio import disk
from studio.config import JobConfig
from studio.errors import RunError

Usage = namedtuple("Usage", "total used free")


def job(method="full", **train) -> JobConfig:
    cfg = JobConfig(task="classification")
    cfg.method.method = method
    for k, v in train.items():
        setattr(cfg.train, k, v)
    return cfg


def test_needed_space_is_the_model_plus_the_checkpoints_kept():
    full = job(save_checkpoints=True, eval_strategy="steps", early_stopping_patience=0)
    # final model 100 + 2 checkpoints (one kept, one more while rotating) x weights and Adam
    assert disk.needed_mb(full, 100) == 100 + 2 * 300 + disk.MARGIN_MB
    best = job(save_checkpoints=True, eval_strategy="steps", early_stopping_patience=2)
    assert disk.needed_mb(best, 100) == 100 + 3 * 300 + disk.MARGIN_MB
    lora = job("lora", save_checkpoints=True, eval_strategy="steps")
    assert disk.needed_mb(lora, 100) == 100 + 2 * 10 + disk.MARGIN_MB
    none = job(save_checkpoints=False)
    assert disk.needed_mb(none, 100) == 100 + disk.MARGIN_MB


def test_a_disk_too_small_is_refused_with_the_numbers(tmp_path, monkeypatch):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "model.safetensors").write_bytes(b"\0" * 2**20 * 3)
    (tmp_path / "model" / "config.json").write_text("{}")
    assert disk.weights_mb(tmp_path / "model") == 3
    monkeypatch.setattr(disk.shutil, "disk_usage", lambda p: Usage(100 * 2**20, 0, 10 * 2**20))
    cfg = job(save_checkpoints=True, eval_strategy="steps")
    with pytest.raises(RunError) as err:
        disk.check_free_space(cfg, tmp_path / "ws", tmp_path / "model")
    need = disk.needed_mb(cfg, 3)
    assert err.value.code == "disk_space" and err.value.params["need_mb"] == need
    assert f"has 10 MB free but this run needs about {need} MB" in str(err.value)
    monkeypatch.setattr(disk.shutil, "disk_usage", lambda p: Usage(0, 0, 10**6 * 2**20))
    disk.check_free_space(cfg, tmp_path / "ws", tmp_path / "model")  # room enough: silent


@pytest.mark.parametrize("error, full", [
    (OSError(errno.ENOSPC, "No space left on device"), True),
    (OSError(errno.EFBIG, "File too large"), True),  # RLIMIT_FSIZE
    (RuntimeError("Error while serializing: I/O error: File too large (os error 27)"), True),
    (RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 576 vs 534"),
     True),
    (OSError(errno.EACCES, "Permission denied"), False),
    (ValueError("shapes do not match"), False),
])
def test_what_a_full_disk_looks_like(error, full):
    assert disk.is_disk_full(error) is full
