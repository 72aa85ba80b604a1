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


def local_world_size() -> int:
    """Processes on this machine (torchrun's --nproc_per_node)."""
    return int(os.environ.get("LOCAL_WORLD_SIZE", world_size()))


def is_main() -> bool:
    return rank() == 0


def _ensure_group() -> None:
    import torch
    import torch.distributed as dist
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        if backend == "nccl":  # each rank its own GPU before NCCL's first collective
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
        dist.init_process_group(backend)


def torchrun_command(python: str, devices: int, args: list[str]) -> list[str]:
    """`python -m torch.distributed.run` (torchrun) starting `devices` processes on this machine
    that run `python <args>`; --standalone finds a free port, so several jobs can run at once.
    Several machines: see README (torchrun's --nnodes, --node_rank, --rdzv_endpoint)."""
    return [python, "-m", "torch.distributed.run", "--standalone",
            "--nproc_per_node", str(devices), *args]


def device_notes(devices: int) -> list[dict]:
    """What to warn about before N processes start: on a CPU machine, more processes than
    cores only share the cores (slower than fewer); on a GPU machine, one GPU each."""
    import torch
    if torch.cuda.is_available():
        have, what = torch.cuda.device_count(), "GPUs"
    else:
        have, what = os.cpu_count() or 1, "CPU cores"
    if devices <= have:
        return []
    why = "the processes would share them and train slower" if what == "CPU cores" else \
        "each process needs a GPU of its own"
    return [{"code": "devices_over_cores" if what == "CPU cores" else "devices_over_gpus",
             "devices": devices, "have": have,
             "text": f"train.devices is {devices} but this machine has {have} {what}; {why}: "
                     f"set train.devices to at most {have}."}]


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


def relaunch(run_dir, workspace, resume: bool = False) -> int | None:
    """A run on N > 1 devices started as a plain `python -m studio train ...`: train its folder
    again under torchrun, one process per device (the queue's command), and return the exit
    code. None: nothing to do (one device, or already one of torchrun's processes)."""
    import subprocess
    import sys
    from .runs import RunFolder
    folder = RunFolder(run_dir)
    devices = folder.config().train.devices
    if devices <= 1 or world_size() > 1:
        return None
    for note in device_notes(devices):
        print(f"warning: {note['text']}", file=sys.stderr)
    args = ["--resume", folder.id] if resume else [str(folder.job_file)]
    return subprocess.call(torchrun_command(sys.executable, devices, [
        "-m", "studio", "train", *args, "--workspace", str(workspace)]))


def warn_devices(events_file) -> None:
    """Rank 0 of a multi-process run records the device warning in the run's events (a run
    the queue started under torchrun has no terminal to print it on)."""
    if world_size() > 1 and is_main():
        from .events import EventWriter
        for note in device_notes(local_world_size()):
            EventWriter(events_file).emit("message", level="warning", **note)

