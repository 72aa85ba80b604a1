"""studio.errors: one base class, a stable code and the params the sentence uses."""
import pytest

from studio.errors import (ConfigError, DataError, InferenceError, ModelError, RunError,
                           StudioError)


@pytest.mark.parametrize("cls, code", [(StudioError, "error"), (ConfigError, "config"),
                                       (ModelError, "model"), (InferenceError, "inference"),
                                       (RunError, "run")])
def test_each_kind_has_its_default_code_and_is_a_studio_error(cls, code):
    e = cls("Something is wrong; do this.")
    assert isinstance(e, StudioError) and isinstance(e, ValueError)
    assert str(e) == "Something is wrong; do this."
    assert e.code == code and e.params == {}


def test_code_and_params_are_kept():
    e = ConfigError("train.max_length is 900 ...", "max_length_over_model", value=900, limit=512)
    assert e.code == "max_length_over_model"
    assert e.params == {"value": 900, "limit": 512}


def test_data_error_takes_its_code_first():
    e = DataError("The column 'text' is not in reviews.csv.", "missing_column", column="text")
    assert isinstance(e, StudioError)
    assert e.code == "missing_column" and str(e) == "The column 'text' is not in reviews.csv."
    assert e.params == {"column": "text"}


def test_a_studio_error_is_caught_by_its_base():
    with pytest.raises(StudioError) as err:
        raise RunError("No run 'x'.", "no_run", run="x")
    assert err.value.code == "no_run" and err.value.params["run"] == "x"
