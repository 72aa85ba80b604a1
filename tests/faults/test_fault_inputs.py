"""Bad values and paths are refused before a run exists: one sentence, exit 2, quickly, and
no run folder or registry row left behind. So is a disk too small for the run."""
import subprocess
import time

import pytest

from faultkit import SAMPLE, cli, one_sentence, run_folders, train_args


@pytest.mark.parametrize("override, words", [
    ("train.learning_rate=nan", ["train.learning_rate"]),
    ("train.learning_rate=inf", ["train.learning_rate"]),
    ("train.epochs=nan", ["train.epochs"]),
    ("train.batch_size=1.5", ["train.batch_size"]),
    ("train.max_steps=inf", ["train.max_steps"]),
    ("train.max_length=32768", ["train.max_length", "512"]),  # tiny-bert has 512 positions
])
@pytest.mark.heavy
def test_a_bad_value_is_refused_before_a_run_exists(tmp_path, override, words):
    ws = tmp_path / "ws"
    r = cli(*train_args(ws, override))
    said = one_sentence(r)
    for w in words:
        assert w in said, said
    assert run_folders(ws) == []


@pytest.mark.parametrize("what", ["data", "data-folder", "model"])
@pytest.mark.heavy
def test_a_bad_path_is_refused_quickly_and_leaves_no_run(tmp_path, what):
    ws = tmp_path / "ws"
    args = {"data": ["--data", str(tmp_path / "missing.csv"), "--model", "tiny-bert"],
            "data-folder": ["--data", str(tmp_path), "--model", "tiny-bert"],
            "model": ["--data", str(SAMPLE), "--model", str(tmp_path / "no-model")]}[what]
    t0 = time.time()
    r = cli("train", *args, "--workspace", str(ws), "train.threads=1")
    said = one_sentence(r)
    assert time.time() - t0 < 60, "a wrong path must fail at once, not after loading"
    named = {"data": "missing.csv", "data-folder": str(tmp_path), "model": "no-model"}[what]
    assert named in said, said
    assert run_folders(ws) == []


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs: too small for a tiny-bert run with its checkpoints."""
    mount = tmp_path / "small"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.mark.heavy
def test_a_disk_too_small_for_the_run_is_refused_with_numbers(small_disk):
    ws = small_disk / "ws"
    r = cli(*train_args(ws, "train.max_steps=20", "train.eval_steps=5"))
    said = one_sentence(r)
    assert f"The disk of the workspace {ws}" in said and "MB free" in said, said
    free, need = [int(w) for w in said.replace(",", " ").split() if w.isdigit()][:2]
    assert free <= 4 < need, said
    assert run_folders(ws) == []
