"""The errors a user can cause, with one base class every caller dispatches on.

Each carries a stable `code`, the `params` its sentence uses and one English sentence (what is
wrong, where, what to do), so the CLI prints it, the trainer writes it into the `failed` event
and the UI words it in the page's language, all with `isinstance(e, StudioError)`; anything
else is a bug. Raise with the code and its params, `DataError(code="empty_file", file=name)`:
the sentence comes from the English catalogue, studio/wording/en.py (the Chinese one has the
same code and params). A message given at the raise site is for codes not in the catalogue yet.
"""
from __future__ import annotations

from .wording import english


class StudioError(ValueError):
    """A user-caused problem: message for people, `code` + `params` for translation."""

    default_code = "error"

    def __init__(self, message: str | None = None, code: str | None = None, **params):
        self.code = code or self.default_code
        self.params = params
        if message is None:
            message = english(self.code, params)
        super().__init__(message)


class ConfigError(StudioError):
    """A job description a user wrote is wrong; the message names the field and what to do."""

    default_code = "config"


class DataError(StudioError):
    """A file or column mapping a user gave cannot be used."""

    default_code = "data"


class ModelError(StudioError):
    """A model cannot be used; the message says why and what to pick instead."""

    default_code = "model"


class InferenceError(StudioError):
    """The run or input cannot be used for prediction; the message says what to do."""

    default_code = "inference"


class RunError(StudioError):
    """A run id or run operation is not possible (unknown run, still training, ...)."""

    default_code = "run"
