"""Resume on a hosted studio: another browser's run id, forged into the Resume endpoints (the
Train step's, whose run id is a BrowserState any client can send, and the Runs step's), is
refused exactly like a missing run, and the run stays stopped with nothing queued."""
from __future__ import annotations

import hashlib
import json
import secrets

import pytest

from hosted_app import App, client, raw_call, browser_http


def owner_of_cookie(cookie: str) -> str:
    """The anonymous owner the studio derives from a studio_client cookie (guard.owner_of)."""
    from components.guard import client_key
    key = client_key({"cookie": f"studio_client={cookie}"}, "127.0.0.1")
    return "anon:" + hashlib.sha256(key.encode()).hexdigest()[:24]


@pytest.mark.heavy
def test_another_browsers_run_cannot_be_resumed(tmp_path):
    from test_resume import stopped_run
    from studio.runs import Registry
    victim = owner_of_cookie(secrets.token_hex(20))
    registry = Registry(tmp_path / "ws")
    run = stopped_run(registry, owner=victim)
    fake = run.id[:-12] + "0" * 12
    app = App(tmp_path / "ws", "--hosted", env={"GRADIO_TEMP_DIR": str(tmp_path / "gradio")},
              timeout=400)
    try:
        attacker = client(app)
        said = attacker.predict(run.id, api_name="/resume")
        text = json.dumps(said, ensure_ascii=False)
        assert f"No run '{run.id}'" in text, text
        assert text.replace(run.id, fake) == json.dumps(attacker.predict(
            fake, api_name="/resume"), ensure_ascii=False)  # the same answer as a missing run
        kind, payload = raw_call(browser_http(app), "resume_run", [[run.id]])
        assert kind == "error" or f"No run '{run.id}'" in json.dumps(payload), payload
    finally:
        app.close()
    again = Registry(tmp_path / "ws").get(run.id)
    assert again.status == "stopped" and again.owner == victim
    assert "resume" not in [e["type"] for e in registry.folder(run).events()]
    assert not (registry.folder(run).path / "stdout.log").exists()  # nothing was started
