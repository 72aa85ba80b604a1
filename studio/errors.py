"""The errors a user can cause, with one base class every caller dispatches on.

Each carries one English sentence (what is wrong, where, what to do), a stable `code` and the
`params` the sentence uses, so the CLI prints it, the trainer writes it into the `failed` event
and the UI translates it, all with `isinstance(e, StudioError)`; anything else is a bug.
"""
from __future__ import annotations


class StudioError(ValueError):
    """A user-caused problem: message for people, `code` + `params` for translation."""

    default_code = "error"

    def __init__(self, message: str, code: str | None = None, **params):
        super().__init__(message)
        self.code = code or self.default_code
        self.params = params


class ConfigError(StudioError):
    """A job description a user wrote is wrong; the message names the field and what to do."""

    default_code = "config"


class DataError(StudioError):
    """A file or column mapping a user gave cannot be used."""

    default_code = "data"

    def __init__(self, code: str, message: str, **params):  # data codes come first (history)
        super().__init__(message, code, **params)


class ModelError(StudioError):
    """A model cannot be used; the message says why and what to pick instead."""

    default_code = "model"


class InferenceError(StudioError):
    """The run or input cannot be used for prediction; the message says what to do."""

    default_code = "inference"


class RunError(StudioError):
    """A run id or run operation is not possible (unknown run, still training, ...)."""

    default_code = "run"
