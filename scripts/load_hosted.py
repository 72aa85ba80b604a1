"""Load check of a hosted studio: `python scripts/load_hosted.py [--sessions 20] [--rows 5000]`.

Starts `python app.py --hosted --max-parallel 3 --max-queued-per-address 0` on a free port with
a fresh workspace, then
  1. N anonymous sessions (gradio_client, one cookie jar each) arrive over N x STAGGER
     seconds, as a crowd does (each connects with a timeout and retries when the server is
     busy), upload their own ROWS-row CSV through the Data step and read the preview:
     p50/p95/max latency of the upload + preview, errors;
  2. three owners start a tiny-bert run at once; each lists its runs and must see only its
     own; time until all three finished;
and prints the app's memory (RSS) before, after the uploads and after training, as JSON and as
a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from hosted_app import App, client, run_ids, start_training  # noqa: E402

WORDS = ("great", "awful", "film", "plot", "acting", "boring", "lovely", "story", "ending",
         "slow", "superb", "dull", "music", "cast")


def make_csv(folder: Path, session: int, rows: int) -> Path:
    rng = random.Random(session)
    path = folder / f"session-{session:02d}.csv"
    lines = ["text,label"]
    for i in range(rows):
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        lines.append(f"\"session {session} row {i}: {words}\",{'pos' if i % 2 else 'neg'}")
    path.write_text("\n".join(lines) + "\n")
    return path


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def connect(app: App, attempts: int = 4, timeout: float = 60.0):
    """A gradio_client as a browser connects: a sensible timeout, and a retry with backoff
    when the server is busy answering everyone else (what a page does when it reloads)."""
    last = None
    for attempt in range(attempts):
        try:
            return client(app, httpx_kwargs={"timeout": timeout})
        except Exception as e:  # noqa: BLE001 - httpx timeouts, a refused connection
            last = e
            time.sleep(min(8.0, 0.5 * 2 ** attempt) * (1 + random.random()))
    raise last


def upload_sessions(app: App, n: int, rows: int, folder: Path, stagger: float) -> dict:
    """N visitors arrive `stagger` seconds apart on average (a crowd, not one instant): each
    connects, uploads its own CSV through the Data step and reads the preview."""
    from gradio_client import handle_file
    files = [make_csv(folder, i, rows) for i in range(n)]
    arrivals = sorted(random.Random(0).uniform(0, stagger * n) for _ in range(n))
    latencies, connects, errors = [], [], []
    t0 = time.perf_counter()

    def one(i: int):
        time.sleep(max(0.0, arrivals[i] - (time.perf_counter() - t0)))
        try:
            c0 = time.perf_counter()
            c = connect(app)
            connects.append(time.perf_counter() - c0)
        except Exception as e:  # noqa: BLE001 - counted
            errors.append(f"session {i}: connect: {type(e).__name__}: {e}")
            return
        u0 = time.perf_counter()
        try:
            out = c.predict(handle_file(str(files[i])), None, api_name="/on_file")
            summary, table = out[0], out[1]
            preview = (table or {}).get("value") or table or {}
            ok = f"{rows} usable rows" in summary and len(preview.get("data") or []) > 0 \
                and f"session {i} row 0" in json.dumps(preview)
            if not ok:
                errors.append(f"session {i}: {summary[:160]}")
        except Exception as e:  # noqa: BLE001 - counted
            errors.append(f"session {i}: {type(e).__name__}: {e}")
        latencies.append(time.perf_counter() - u0)

    with ThreadPoolExecutor(n) as pool:
        list(pool.map(one, range(n)))
    wall = time.perf_counter() - t0
    lat = latencies or [float("nan")]
    return {"sessions": n, "rows": rows, "file_kb": round(files[0].stat().st_size / 1024),
            "stagger_s": stagger, "connect_p95_s": round(percentile(connects or [0.0], 0.95), 2),
            "p50_s": round(statistics.median(lat), 2),
            "p95_s": round(percentile(lat, 0.95), 2), "max_s": round(max(lat), 2),
            "wall_s": round(wall, 2), "errors": len(errors), "error_samples": errors[:3]}


def three_owners(app: App) -> dict:
    owners = [connect(app) for _ in range(3)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(3) as pool:
        started = list(pool.map(lambda c: start_training(c), owners))
    ids = [run_id for run_id, m in started if "submitted" in m]
    problems = [m for _, m in started if "submitted" not in m]
    seen = [run_ids(c.predict([], api_name="/list_runs")[0]) for c in owners]
    only_own = not problems and all(s == [rid] for s, rid in zip(seen, ids))
    from studio.runs import ACTIVE, Registry
    registry = Registry(app.workspace)
    deadline, status = time.time() + 600, []
    while time.time() < deadline:
        status = [registry.get(r).status for r in ids]
        if all(s not in ACTIVE for s in status):
            break
        time.sleep(1)
    return {"owners": 3, "started": len(ids) - len(problems), "each_sees_only_its_own": only_own,
            "status": status, "all_done_s": round(time.perf_counter() - t0, 1),
            "problems": problems}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--rows", type=int, default=5000)
    p.add_argument("--stagger", type=float, default=0.5,
                   help="Mean seconds between two visitors' arrivals (0: all at once).")
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="studio-load-"))
    # Every simulated visitor comes from this one machine's address: the per-address queue
    # limit (2 by default) would refuse the third owner, so it is lifted here.
    app = App(folder / "ws", "--hosted", "--max-parallel", "3", "--max-queued-per-address", "0",
              timeout=400)
    try:
        time.sleep(2)
        rss = {"start_mb": round(app.rss_mb())}
        uploads = upload_sessions(app, args.sessions, args.rows, folder, args.stagger)
        rss["after_uploads_mb"] = round(app.rss_mb())
        training = three_owners(app)
        rss["after_training_mb"] = round(app.rss_mb())
    finally:
        app.close()
    result = {"uploads": uploads, "training": training, "app_rss": rss,
              "command": "python scripts/load_hosted.py " + " ".join(sys.argv[1:])}
    print(json.dumps(result, indent=2))
    u, t = uploads, training
    print(f"\n| measure | value |\n|---|---|\n"
          f"| {u['sessions']} sessions x {u['rows']}-row CSV ({u['file_kb']} KB), arriving "
          f"{u['stagger_s']} s apart on average: upload + preview p50 / p95 / max | "
          f"{u['p50_s']} s / {u['p95_s']} s / {u['max_s']} s |\n"
          f"| errors | {u['errors']} of {u['sessions']} |\n"
          f"| 3 owners training tiny-bert at once: all finished | {t['all_done_s']} s "
          f"({', '.join(t['status'])}) |\n"
          f"| each owner sees only its own run | {t['each_sees_only_its_own']} |\n"
          f"| app RSS: start / after uploads / after training | {rss['start_mb']} / "
          f"{rss['after_uploads_mb']} / {rss['after_training_mb']} MB |")


if __name__ == "__main__":
    main()
