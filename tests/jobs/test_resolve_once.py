"""One resolve of a job reads its model's config once (studio.models.one_resolve): the family,
the defaults, the width, the parameter count, the memory plan and the skeleton all ask for it."""
import pytest

from helpers import make_job
from studio import jobs, models


@pytest.fixture
def counted(monkeypatch):
    """{'asked': load_config calls, 'read': configs actually read from the model folder}."""
    counts = {"asked": 0, "read": 0}
    load, read = models.load_config, models.read_config

    def counting_load(*a, **kw):
        counts["asked"] += 1
        return load(*a, **kw)

    def counting_read(*a, **kw):
        counts["read"] += 1
        return read(*a, **kw)
    monkeypatch.setattr(models, "load_config", counting_load)
    monkeypatch.setattr(models, "read_config", counting_read)
    return counts


@pytest.mark.parametrize("model, data, task", [("tiny-bert", "sentiment.csv", "auto"),
                                               ("tiny-gpt", "chat.json", "chat")])
def test_a_preview_reads_the_model_config_once(data_dir, counted, model, data, task):
    jobs.preview(make_job(data_dir / data, model, task, train__epochs=1))
    assert counted["asked"] >= 3   # the rooms that ask for it (4-7 reads before the scope)
    assert counted["read"] == 1


def test_each_resolve_reads_it_again(data_dir, counted):
    """The scope is one call: a model folder changed between two previews is read anew."""
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert")
    jobs.resolve(cfg)
    jobs.precheck(cfg)
    assert counted["read"] == 2


def test_every_caller_gets_its_own_copy():
    location = models.resolve_location("tiny-bert")[0]
    with models.one_resolve():
        first = models.load_config(location)
        first.num_labels = 7  # what the classification skeleton does to its copy
        assert models.load_config(location).num_labels != 7
