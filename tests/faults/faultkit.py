"""Fault injection against the real studio: `python -m studio ...` processes on a temporary
workspace with the tiny models, and `python app.py` on a free port (tests/hosted_app.py).

Every scenario asserts what is left (statuses, events, registry rows, files) and what the user
read: one sentence, never a traceback."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from helpers import wait_for  # noqa: F401 - the fault tests import it from here

SAMPLE = ROOT / "assets" / "samples" / "reviews_sentiment.csv"
# A tiny-bert run of a few steps: one torch thread (a shared 2-core machine), no evaluation
# of the base model; every scenario adds what it needs.
QUICK = ("train.threads=1", "train.batch_size=8", "train.eval_before=false")


def env(**extra) -> dict:
    out = {k: v for k, v in os.environ.items()
           if k not in ("STUDIO_WORKSPACE", "STUDIO_REGISTRY", "STUDIO_HOSTED", "STUDIO_AUTH")}
    out.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false", "PYTHONUNBUFFERED": "1", **extra})
    return out


def cli(*args: str, prefix: tuple = (), timeout: float = 300, preexec=None,
        extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """`python -m studio ARGS` as a user runs it (optionally behind `prefix`, e.g. setpriv)."""
    return subprocess.run([*prefix, sys.executable, "-m", "studio", *args], cwd=ROOT,
                          env=env(**(extra_env or {})), capture_output=True, text=True,
                          timeout=timeout, preexec_fn=preexec)


def start(*args: str, preexec=None, log: Path | None = None) -> subprocess.Popen:
    """`python -m studio ARGS` in the background (its output in `log`)."""
    out = open(log, "w") if log else subprocess.DEVNULL
    return subprocess.Popen([sys.executable, "-m", "studio", *args], cwd=ROOT, env=env(),
                            stdout=out, stderr=subprocess.STDOUT, preexec_fn=preexec,
                            start_new_session=True)


def train_args(ws: Path, *extra: str, data: Path = SAMPLE) -> list[str]:
    return ["train", "--data", str(data), "--model", "tiny-bert", "--workspace", str(ws),
            *QUICK, *extra]


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in (text or ""), text[-3000:]


def one_sentence(r: subprocess.CompletedProcess, code: int = 2) -> str:
    """The command failed with `code` and said one line on stderr, `error: ...`."""
    no_traceback(r.stdout, r.stderr)
    assert r.returncode == code, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    lines = [line for line in r.stderr.strip().splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error: "), r.stderr[-2000:]
    assert len([line for line in lines if line.startswith("error: ")]) == 1, r.stderr
    return lines[-1][len("error: "):]


def runs(ws: Path, prefix: tuple = ()) -> list[dict]:
    """`python -m studio runs --json`, asserted clean."""
    r = cli("runs", "--json", "--workspace", str(ws), prefix=prefix)
    no_traceback(r.stdout, r.stderr)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout)


def run_folders(ws: Path) -> list[Path]:
    folder = ws / "runs"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def registry_rows(ws: Path) -> dict[str, tuple]:
    """The registry's rows read directly: {id: (status, reason, run_dir)}."""
    with sqlite3.connect(ws / "studio.sqlite") as db:
        return {r[0]: r[1:] for r in db.execute("SELECT id, status, reason, run_dir FROM runs")}


def event_lines(run_dir: Path) -> list[dict]:
    """Every line of events.jsonl parsed strictly: a torn or foreign line fails the test."""
    lines = (run_dir / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]




def logged_steps(run_dir: Path) -> int:
    """The last step the run logged (0 before the first)."""
    try:
        steps = [e.get("step") or 0 for e in event_lines(run_dir) if e.get("type") == "log"]
    except (OSError, ValueError):
        return 0
    return max(steps, default=0)


def complete_checkpoints(run_dir: Path) -> list[str]:
    return sorted((p.name for p in (run_dir / "checkpoints").glob("checkpoint-*")
                   if (p / "trainer_state.json").is_file()),
                  key=lambda n: int(n.rsplit("-", 1)[1]))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except OSError:
        return False


def kill9(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL) if os.getpgid(proc.pid) == proc.pid else proc.kill()
    proc.wait(10)


# ---- a read-only workspace -------------------------------------------------------------------

NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
# Root ignores permission bits through CAP_DAC_OVERRIDE; without it (and CAP_DAC_READ_SEARCH)
# root reads and writes like any user, so a 0555 folder is read-only to it too.
NO_OVERRIDE = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")


def read_only_prefix(probe: Path) -> tuple[tuple, str]:
    """A command prefix under which `probe` (a folder made read-only by its permissions) cannot
    be written while this Python still runs: (prefix, '') or ((), why not)."""
    if os.geteuid() != 0:
        return (), ""  # an ordinary user: the permission bits already apply
    reasons = []
    for prefix in (NOBODY, NO_OVERRIDE):
        try:
            r = subprocess.run([*prefix, sys.executable, "-c",
                                "import os, sys; sys.exit(0 if not os.access(sys.argv[1], "
                                "os.W_OK) and os.access(sys.argv[1], os.R_OK) else 3)",
                                str(probe)], capture_output=True, text=True, timeout=60,
                               cwd=ROOT)
        except (OSError, subprocess.TimeoutExpired) as e:
            reasons.append(f"{prefix[0]}: {e}")
            continue
        if r.returncode == 0:
            return prefix, ""
        reasons.append(f"{' '.join(prefix)}: exit {r.returncode} {r.stderr.strip()[-200:]}")
    return (), "; ".join(reasons)


def make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(0o555 if path.is_dir() else 0o444)


def make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
