"""How a server path is shown to the person who gave it: the one place that decides.

Locally the path helps (the analyst typed it, and may fix it). On a hosted studio it is the
server's business: where uploads live (`/tmp/gradio/…`, `/data/workspace/uploads/…`) tells a
stranger about the machine, so messages name the file only, and a job.yaml leaving the server
(the Train step's download, an export) names data files relative to the workspace.
"""
from __future__ import annotations

import os
from pathlib import Path

DATA_PATHS = ("train_file", "validation_file")     # the job fields that hold server paths


def hosted() -> bool:
    from .hosting import HOSTED_ENV
    return os.environ.get(HOSTED_ENV) == "1"


def shown_path(path) -> str:
    """A data path as a message shows it: the file's name on a hosted studio, else the path."""
    text = str(path)
    if not hosted() or not text:
        return text
    return Path(text).name or text


def portable_path(path: str, workspace) -> str:
    """A path relative to the workspace when it lies inside it, else just the file's name."""
    if not path or str(path).startswith(("hf:", "hub:")):
        return path
    p = Path(path)
    try:
        return p.resolve().relative_to(Path(workspace).resolve()).as_posix()
    except (ValueError, OSError):
        return p.name


def job_text(job_file, workspace) -> str:
    """The text of a run's job.yaml as it may leave the server: on a hosted studio its data
    paths are relative to the workspace (`uploads/<digest>/reviews.csv`); locally unchanged."""
    import yaml
    text = Path(job_file).read_text(encoding="utf-8")
    if not hosted():
        return text
    data = yaml.safe_load(text) or {}
    section = data.get("data") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        return text
    for key in DATA_PATHS:
        if isinstance(section.get(key), str):
            section[key] = portable_path(section[key], workspace)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def upload_not_stored(workspace, error: OSError):
    """The sentence for an upload the workspace could not keep (read-only, full, ...): the
    workspace is named locally, never on a hosted studio; the OS's path-bearing text never."""
    import errno

    from .errors import DataError
    # hosted: the *_hosted sentence, which names no path and sends the visitor to the operator
    h = hosted()
    where = {} if h else {"workspace": str(workspace)}
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DataError(code="upload_read_only_hosted" if h else "upload_read_only", **where)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DataError(code="upload_disk_full_hosted" if h else "upload_disk_full", **where)
    reason = error.strerror or type(error).__name__
    return DataError(code="upload_not_stored_hosted" if h else "upload_not_stored",
                     detail=reason, **where)
