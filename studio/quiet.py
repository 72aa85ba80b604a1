"""Silence the libraries' loading bars and warnings where our own output is the report: a
prediction printed in the terminal, a run's log (our events are the log)."""
from __future__ import annotations

import warnings


def quiet_libraries() -> None:
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
