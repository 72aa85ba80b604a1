"""Pushing to the Hub: one sentence within seconds when offline; what is uploaded (through a
stand-in for huggingface_hub's HfApi); the token is used, never stored."""
import json
import socket
import time

import pytest

from studio.export import ExportError, export
from studio.export import hub as export_hub
from studio.runfolder import RunFolder


def test_offline_push_fails_fast_with_one_sentence(bert_run, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ExportError) as e:
        export_hub.push(bert_run, "someone/model")
    assert time.monotonic() - started < 5
    assert e.value.code == "hub_offline" and "\n" not in str(e.value)
    assert str(e.value).endswith(".")


def test_unreachable_hub_fails_fast(bert_run, monkeypatch):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "HTTPS_PROXY", "https_proxy",
                "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(ExportError) as e:
        export_hub.push(bert_run, "someone/model")
    assert time.monotonic() - started < 5 and e.value.code == "hub_offline"


def test_bad_repo_id_and_missing_token(bert_run, monkeypatch):
    with pytest.raises(ExportError) as e:
        export_hub.push(bert_run, "no-owner")
    assert e.value.code == "hub_repo_id"
    monkeypatch.setattr(export_hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    with pytest.raises(ExportError) as e:
        export_hub.push(bert_run, "someone/model")
    assert e.value.code == "hub_token" and "HF_TOKEN" in str(e.value)


class FakeApi:
    """Records what would have been uploaded."""
    calls: list = []

    def __init__(self, token=None):
        self.token = token

    def create_repo(self, repo_id, private=False, exist_ok=False, repo_type="model"):
        FakeApi.calls.append(("create", repo_id, private, self.token))

    def upload_folder(self, folder_path, repo_id, repo_type="model", commit_message=""):
        from pathlib import Path
        root = Path(folder_path)
        files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*")
                 if p.is_file()}
        FakeApi.calls.append(("upload", repo_id, files))


@pytest.fixture
def fake_hub(monkeypatch):
    import huggingface_hub
    FakeApi.calls = []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    monkeypatch.setattr(export_hub, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setenv("HF_TOKEN", "hf_secret_for_this_push")
    return FakeApi


def _no_token_in(folder):
    for p in RunFolder(folder).path.rglob("*"):
        if p.is_file():
            assert b"hf_secret_for_this_push" not in p.read_bytes(), p


def test_lora_run_pushes_its_adapter_with_a_card(gpt_lora_run, fake_hub):
    result = export_hub.push(gpt_lora_run, "someone/tiny-chat", private=True)
    assert result.what == "adapter" and result.url.endswith("/someone/tiny-chat")
    assert fake_hub.calls[0] == ("create", "someone/tiny-chat", True, "hf_secret_for_this_push")
    files = fake_hub.calls[1][2]
    assert {"adapter_model.safetensors", "adapter_config.json", "README.md", "loss.png",
            "tokenizer.json"} <= set(files)
    assert RunFolder.MODEL_INFO not in files
    card = files["README.md"].decode()
    assert "library_name: peft" in card and "someone/tiny-chat" in card
    _no_token_in(gpt_lora_run)


def test_merged_push_leaves_the_local_export_untouched(gpt_lora_run, fake_hub):
    local = export(gpt_lora_run, "merged")
    before = (local.path / "README.md").read_text()
    result = export_hub.push(gpt_lora_run, "someone/tiny-chat-merged", merged=True)
    files = fake_hub.calls[1][2]
    assert result.what == "merged"
    assert {"model.safetensors", "config.json", "README.md"} <= set(files)
    assert not any(name.startswith("adapter_") for name in files)
    assert "someone/tiny-chat-merged" in files["README.md"].decode()
    assert (local.path / "README.md").read_text() == before  # hard links were not written
    _no_token_in(gpt_lora_run)


def test_adapter_config_names_the_hub_base(gpt_lora_run, fake_hub, monkeypatch):
    from studio.export import card
    monkeypatch.setattr(card, "HUB_COPIES", {**card.HUB_COPIES, "tiny-gpt": "someone/tiny-gpt"})
    export_hub.push(gpt_lora_run, "someone/tiny-chat")
    config = json.loads(fake_hub.calls[1][2]["adapter_config.json"])
    assert config["base_model_name_or_path"] == "someone/tiny-gpt"
    local = json.loads((RunFolder(gpt_lora_run).model_dir / "adapter_config.json").read_text())
    assert local["base_model_name_or_path"] != "someone/tiny-gpt"  # the run's file unchanged


def test_hosted_studio_never_pushes_with_the_servers_token(bert_run, fake_hub, monkeypatch):
    from studio import hosting
    monkeypatch.setattr(hosting, "current", lambda: hosting.Policy.hosted_defaults())
    with pytest.raises(ExportError) as e:
        export_hub.push(bert_run, "someone/model")
    assert e.value.code == "hub_token_hosted" and "HF_TOKEN" not in str(e.value)
    export_hub.push(bert_run, "someone/model", token="hf_users_own")
    assert fake_hub.calls[0][3] == "hf_users_own"
