"""Where this process stands under torchrun / accelerate launch (the only place that reads
RANK and WORLD_SIZE), and one run id for all ranks.

Every rank parses the same command line, but a run id has a timestamp and a random part, so
rank 0 makes it and sends it to the others over the process group Trainer would start anyway.
"""
from __future__ import annotations

import os


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def is_main() -> bool:
    return rank() == 0


def _ensure_group() -> None:
    import torch
    import torch.distributed as dist
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)


def shared_run_id(name: str) -> str:
    from .runs import new_run_id
    run_id = new_run_id(name)
    if world_size() > 1:
        import torch.distributed as dist
        _ensure_group()
        box = [run_id]
        dist.broadcast_object_list(box, src=0)
        run_id = box[0]
    return run_id


def barrier() -> None:
    if world_size() > 1:
        import torch.distributed as dist
        _ensure_group()
        dist.barrier()
