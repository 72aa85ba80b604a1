"""bench/gpu_check.py --dry-run: every job of the GPU check builds here, on a CPU."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "sst2_train.tsv").exists(), reason="needs ../shared/data")
def test_the_gpu_check_builds_every_job_without_training(tmp_path):
    out = subprocess.run([sys.executable, "bench/gpu_check.py", "--dry-run", "--work",
                          str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "classification: ok" in out.stdout and "instruction: ok" in out.stdout
    assert "planner peak" in out.stdout and "dry run: every job builds" in out.stdout
    assert not list(tmp_path.glob("ws/runs/*"))  # nothing trained
