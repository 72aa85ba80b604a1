"""One self-contained zip: the merged model folder (weights, tokenizer, labels, model card, loss
curve) plus the run's job.yaml and metrics. Unzipped, it loads with transformers alone."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from ..runfolder import RunFolder
from .common import Progress, files_of, report

STORED = (".safetensors", ".bin", ".png", ".onnx", ".gguf")  # already dense: no deflate


def write_zip(folder: RunFolder, merged_dir: Path, target: Path,
              progress: Progress | None = None) -> Path:
    """`<target>/<run id>.zip`, made from an existing merged export."""
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{folder.id}.zip"
    members = files_of(merged_dir)
    total = sum(p.stat().st_size for p in members) or 1
    done = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for p in members:
            report(progress, 0.1 + 0.85 * done / total, f"Adding {p.name}")
            kind = zipfile.ZIP_STORED if p.suffix in STORED else zipfile.ZIP_DEFLATED
            zf.write(p, p.relative_to(merged_dir).as_posix(), compress_type=kind)
            done += p.stat().st_size
        if folder.job_file.is_file():  # hosted: data paths relative to the workspace
            from ..shown import job_text
            zf.writestr(RunFolder.JOB, job_text(folder.job_file, folder.path.parent.parent))
        zf.writestr(RunFolder.METRICS, json.dumps(folder.metrics(), indent=2, default=str))
    return path
