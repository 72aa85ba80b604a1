"""Push a run to the Hugging Face Hub: the merged model, or (LoRA runs) just the adapter, each
with its model card. The token comes from HF_TOKEN (or is passed in) for this push only: it is
never written anywhere. Offline, it fails with one sentence within seconds."""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..hub import hub_reachable
from ..runfolder import RunFolder
from .card import LOSS_PNG, write_card
from .common import (STUDIO_ONLY, ExportError, Progress, as_folder, files_of, model_info,
                     report)

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


@dataclass
class PushResult:
    repo_id: str
    url: str
    what: str                      # "merged" or "adapter"
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def hub_token(token: str | None) -> str:
    """The caller's token, else HF_TOKEN (local mode only: a hosted studio never pushes with
    the server's own token)."""
    from ..hosting import current
    if token:
        return token
    if current().hosted:
        raise ExportError(code="hub_token_hosted")
    token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN") or ""
    if not token:
        raise ExportError(code="hub_token")
    return token


def push(folder: RunFolder | str | Path, repo_id: str, private: bool = False,
         merged: bool | None = None, token: str | None = None,
         progress: Progress | None = None) -> PushResult:
    """Upload to `repo_id` (owner/name, created when missing). `merged`: None pushes the
    adapter of a LoRA run and the full model otherwise; True always pushes the merged model."""
    folder = as_folder(folder)
    info = model_info(folder)
    if not REPO_ID.match(repo_id or ""):
        raise ExportError(code="hub_repo_id", repo=repo_id)
    started = time.monotonic()
    if not hub_reachable(timeout=3.0):
        raise ExportError(code="hub_offline")
    token = hub_token(token)
    what = "adapter" if info.get("method") == "lora" and not merged else "merged"
    with tempfile.TemporaryDirectory(prefix="studio-push-") as tmp:
        stage = Path(tmp)
        _stage(folder, info, what, stage, repo_id, progress)
        report(progress, 0.7, f"Uploading to {repo_id}")
        url = _upload(stage, repo_id, private, token, folder.id)
        files = [str(p.relative_to(stage)) for p in files_of(stage)]
    report(progress, 1.0, f"Pushed to {url}")
    return PushResult(repo_id, url, what, files, time.monotonic() - started)


def _stage(folder: RunFolder, info: dict, what: str, stage: Path, repo_id: str,
           progress: Progress | None) -> None:
    if what == "merged":
        from . import export
        source = export(folder, "merged", progress).path
        for p in files_of(source):
            if p.name not in ("README.md", LOSS_PNG):  # rewritten below: never through a link
                _link_or_copy(p, stage / p.relative_to(source))
        write_card(folder, stage, info, "merged", location=repo_id, tags=[])
        return
    for p in files_of(folder.model_dir):
        if p.parent == folder.model_dir and p.name in STUDIO_ONLY:
            continue
        _link_or_copy(p, stage / p.relative_to(folder.model_dir))
    _point_adapter_at_hub(stage / "adapter_config.json", info)
    write_card(folder, stage, info, "adapter", location=repo_id, library="peft")


def _point_adapter_at_hub(path: Path, info: dict) -> None:
    """The adapter names its base by a local folder; on the Hub it must name the Hub model."""
    from .card import base_hub_id
    base = base_hub_id(info.get("base_model", ""))
    if not base or not path.is_file():
        return
    config = json.loads(path.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = base
    path.unlink()  # a hard link to the run's own file: write a new one
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _upload(stage: Path, repo_id: str, private: bool, token: str, run_id: str) -> str:
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        api.upload_folder(folder_path=str(stage), repo_id=repo_id, repo_type="model",
                          commit_message=f"Upload {run_id} from Fine-tuning Studio")
    except HfHubHTTPError as e:
        status = getattr(e.response, "status_code", None)
        if status in (401, 403):
            raise ExportError(code="hub_denied", repo=repo_id, status=status) from None
        raise ExportError(code="hub_refused", repo=repo_id, status=status) from None
    except OSError as e:
        raise ExportError(code="hub_failed", repo=repo_id, detail=str(e)) from None
    return f"{(os.environ.get('HF_ENDPOINT') or 'https://huggingface.co').rstrip('/')}/{repo_id}"
