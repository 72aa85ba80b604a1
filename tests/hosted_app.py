"""Start `python app.py ...` on a free port for a test, and talk to it the way an outsider
does: gradio_client (one cookie jar per client, so one anonymous owner per client) and raw
HTTP (httpx) for the requests no honest page would send."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "assets" / "samples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """A running studio: .url, .workspace, .proc; .close() ends it (and only it). Tests get
    one through the `app_server` fixture (tests/conftest.py), which closes what it started."""

    def __init__(self, workspace: Path, *args: str, env: dict | None = None,
                 timeout: float = 300):  # a loaded 2-core machine starts it slowly
        self.workspace, self.port = Path(workspace), free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.workspace.mkdir(parents=True, exist_ok=True)
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("STUDIO_AUTH", "STUDIO_HOSTED", "STUDIO_MAX_UPLOAD_MB")}
        full_env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                         "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})})
        self.log_path = self.workspace / "server.log"
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(self.port), "--workspace",
             str(self.workspace), *args], cwd=ROOT, env=full_env, stdout=self._log,
            stderr=subprocess.STDOUT)
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        import httpx
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("app.py exited: " + self.log()[-3000:])
            try:
                if httpx.get(self.url + "config", timeout=5).status_code in (200, 401):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        log = self.log()[-3000:]  # before close() closes the log file
        self.close()
        raise RuntimeError("app.py did not start in time: " + log)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def close(self) -> None:
        """Ends the app; closing twice (the test, then the fixture) is harmless."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


def client(app: App, **kwargs):
    """A gradio_client Client: its own cookie jar, so its own anonymous owner."""
    from gradio_client import Client
    return Client(app.url, verbose=False, **kwargs)


def browser_http(app: App, local_address: str | None = None):
    """An httpx client that first loads the page, as a browser does, and so holds the
    studio's cookie; `local_address` (127.0.0.x) makes it a different client address."""
    import httpx
    transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
    http = httpx.Client(base_url=app.url, timeout=120, transport=transport)
    http.get("/")
    return http


def upload(http, *files: tuple[str, bytes]) -> list[str]:
    """POST files to gradio's upload endpoint; the server paths it answers."""
    r = http.post("gradio_api/upload", files=[("files", (name, data)) for name, data in files])
    r.raise_for_status()
    return r.json()


def file_data(path: str) -> dict:
    """A FileData payload naming any path, as a crafted request can."""
    return {"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


def raw_call(http, api: str, data: list) -> tuple[str, object]:
    """Call a named endpoint over plain HTTP (/gradio_api/call/<api>): ("complete", outputs)
    or ("error", message or None)."""
    r = http.post(f"gradio_api/call/{api}", json={"data": data})
    r.raise_for_status()
    event_id = r.json()["event_id"]
    kind, payload = "error", None
    with http.stream("GET", f"gradio_api/call/{api}/{event_id}") as stream:
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                body = line.split(":", 1)[1].strip()
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = body
                kind = event
                if event == "error" and isinstance(payload, dict):
                    payload = payload.get("error")
                break
    return kind, payload


def form_values(c, overrides: dict | None = None) -> list:
    """Every value the /start endpoint takes, at its default, with `overrides` by config path
    (the form's fields in the order the hosted page builds them)."""
    from components import form
    params = c.view_api(return_format="dict", print_info=False)["named_endpoints"]["/start"][
        "parameters"]
    paths = [*form.BASIC, *form.advanced_paths(hosted=True)]
    assert len(params) == len(paths), (len(params), len(paths))
    values = [p.get("parameter_default") for p in params]
    for path, value in (overrides or {}).items():
        values[paths.index(path)] = value
    return values


def start_training(c, sample: str = "reviews_sentiment.csv", model: str = "tiny-bert",
                   **settings) -> tuple[str, str]:
    """Upload a sample through the Data step, pick a model, press Start: (run id, message)."""
    from gradio_client import handle_file
    c.predict(handle_file(str(SAMPLES / sample)), None, api_name="/on_file")
    c.predict(model, api_name="/model_info")
    values = form_values(c, {"train.epochs": 1, "train.batch_size": 16, "train.threads": 1,
                             **{k.replace("__", "."): v for k, v in settings.items()}})
    out = c.predict(*values, api_name="/start")  # run id, message, command, yaml, ...
    return out[0], out[1]


def run_ids(table) -> list[str]:
    """Run ids in the Runs step's table output (first column)."""
    rows = (table or {}).get("data") or []
    return [str(r[0]) for r in rows]
