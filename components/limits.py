"""The web layer's side of the hosted limits kept by studio.retention: the refusal worded in
the page's language, the janitor started with what the web server holds (the model cache,
gradio's served copies of downloads), and run deletion that takes those copies too."""
from __future__ import annotations

from pathlib import Path

from studio import retention

from .i18n import tr


def disk_refusal(registry, owner, policy, lang: str) -> str:
    """The sentence refusing a new job when `owner`'s runs and uploads already fill their share
    of the disk, else "". Local mode (owner None) and a policy without the limit never refuse."""
    from studio.errors import RunError
    try:
        retention.check_disk_share(registry, owner, policy)
    except RunError as e:
        return tr(lang, "limit_disk", **e.params)
    return ""


def served_copy(path: Path) -> list[str]:
    """Where gradio keeps the copy of a staged download it serves (its cache folder, named by
    the file's content), so deleting a run also ends its download links."""
    from gradio import processing_utils
    from gradio.utils import get_upload_folder
    try:
        copy = Path(get_upload_folder()) / processing_utils.hash_file(path) / path.name
    except OSError:
        return []
    return [str(copy)] if copy.is_file() else []


def delete_run(registry, cache, run_id: str, owner=None) -> None:
    retention.delete_run(registry, run_id, owner, served_copy)
    cache.drop(run_id)


def Janitor(registry, queue, cache, policy, clock=None):  # noqa: N802 - builds the engine's
    """studio.retention.Janitor with the model cache and gradio's served copies to drop."""
    kwargs = {"clock": clock} if clock else {}
    return retention.Janitor(registry, queue, policy, on_delete=cache.drop,
                             served_copy=served_copy, **kwargs)
