"""studio.distributed: rank and world size from torchrun's environment, one run id."""
import re

import pytest

from studio import distributed


@pytest.fixture
def single(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    return monkeypatch


def test_a_plain_process_is_rank_0_of_1(single):
    assert distributed.rank() == 0 and distributed.world_size() == 1
    assert distributed.is_main() is True


def test_rank_and_world_size_come_from_the_environment(single):
    single.setenv("RANK", "3")
    single.setenv("WORLD_SIZE", "4")
    assert distributed.rank() == 3 and distributed.world_size() == 4
    assert distributed.is_main() is False
    single.setenv("RANK", "0")
    assert distributed.is_main() is True


def test_one_process_makes_its_own_run_id_without_a_process_group(single):
    import torch.distributed as dist
    run_id = distributed.shared_run_id("My Reviews!")
    assert re.fullmatch(r"\d{8}-\d{6}-my-reviews-[0-9a-f]+", run_id), run_id
    assert distributed.shared_run_id("My Reviews!") != run_id  # a random part
    distributed.barrier()  # a no-op for one process
    assert not dist.is_initialized()
