"""studio.sweep.grid: `key=a,b` items, the product of candidates, their names and the cap."""
import pytest

from studio.config import JobConfig
from studio.errors import ConfigError
from studio.sweep import MAX_CANDIDATES, expand, parse_grid
from studio.sweep.grid import short_number


def base() -> JobConfig:
    cfg = JobConfig(task="classification")
    cfg.data.train_file = "/data/reviews.csv"
    return cfg


def test_parse_grid_splits_values_and_keeps_their_order():
    grid = parse_grid(["model.name=minilm-l6, tiny-bert", "train.learning_rate=5e-5,1e-4,5e-5",
                       "train.epochs=2"])
    assert grid == {"model.name": ["minilm-l6", "tiny-bert"],
                    "train.learning_rate": ["5e-5", "1e-4"], "train.epochs": ["2"]}


@pytest.mark.parametrize("items, code, words", [
    (["model.name"], "sweep_bad_item", "key=value1,value2"),
    (["train.seed=1,2"], "sweep_bad_key", "cannot vary 'train.seed'"),
    (["data.train_file=a.csv,b.csv"], "sweep_bad_key", "data and seed stay fixed"),
    (["train.epochs=1", "train.epochs=2"], "sweep_repeated_key", "names train.epochs twice"),
    (["train.epochs= , "], "sweep_no_values", "train.epochs has no values"),
    (["train.learning_rate=5e-5,fast"], "bad_type", "train.learning_rate must be a number"),
    (["train.learning_rate=5"], "too_large", "train.learning_rate is 5.0"),
    (["method.method=full,qlora"], "bad_choice", "method.method is 'qlora'"),
    (["train.batch_size=1.5"], "bad_type", "train.batch_size must be a whole number"),
])
def test_parse_grid_refuses_with_one_sentence_naming_the_key(items, code, words):
    with pytest.raises(ConfigError) as info:
        parse_grid(items)
    assert info.value.code == code
    assert words in str(info.value)
    sentence = str(info.value).replace("e.g. ", "")
    assert sentence.count(". ") == 0 and sentence.endswith(".")  # one sentence


def test_expand_is_the_cartesian_product_with_readable_names():
    cfg = base()
    grid = parse_grid(["model.name=minilm-l6,tiny-bert", "train.learning_rate=5e-5,1e-4",
                       "train.epochs=2"])
    candidates = expand(cfg, grid)
    assert [c.name for c in candidates] == ["minilm-l6 · lr 5e-5", "minilm-l6 · lr 1e-4",
                                            "tiny-bert · lr 5e-5", "tiny-bert · lr 1e-4"]
    assert [(c.model.name, c.train.learning_rate) for c in candidates] == [
        ("minilm-l6", 5e-5), ("minilm-l6", 1e-4), ("tiny-bert", 5e-5), ("tiny-bert", 1e-4)]
    assert {c.train.epochs for c in candidates} == {2.0}  # one value just fixes it
    # The base job is untouched and every candidate shares its data and seed.
    assert cfg.model.name == "tiny-bert" and cfg.train.epochs == 3.0
    assert {(c.data.train_file, c.data.validation_fraction, c.train.seed)
            for c in candidates} == {("/data/reviews.csv", 0.1, 42)}


def test_names_cover_every_varied_setting_and_hub_ids_by_their_last_part():
    grid = parse_grid(["model.name=org/some-bert,tiny-gpt", "method.method=full,lora",
                       "train.batch_size=8,16", "train.epochs=1,2.5"])
    names = [c.name for c in expand(base(), grid)]
    assert len(names) == 16 and len(set(names)) == 16
    assert names[0] == "some-bert · full · bs 8 · 1 ep"
    assert names[-1] == "tiny-gpt · LoRA · bs 16 · 2.5 ep"


def test_a_grid_over_the_cap_is_refused():
    grid = parse_grid(["train.learning_rate=1e-5,2e-5,3e-5", "train.epochs=1,2,3",
                       "train.batch_size=8,16"])
    with pytest.raises(ConfigError) as info:
        expand(base(), grid)
    assert info.value.code == "sweep_too_many"
    assert str(info.value) == (f"The grid gives 18 candidates; a sweep runs at most "
                               f"{MAX_CANDIDATES}, so give fewer values.")


def test_short_number_writes_learning_rates_as_people_do():
    assert [short_number(v) for v in (1e-4, 5e-5, 2.5e-5, 0.001, None)] == [
        "1e-4", "5e-5", "2.5e-5", "1e-3", "auto"]
