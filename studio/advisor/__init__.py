"""The training-health advisor: what a run's own curves and outputs say (overfitting, still
learning, learning rate too high or too low, ignored classes, too little data, repeating or
empty generations), one sentence each with a suggestion to apply; and settings to start from
before training. Modules: finding (the Finding), facts (what is read from a run folder),
curves and outputs (the rules), report (findings / record), live_check (the divergence stop
during training), suggest (pre-training settings), commands (`python -m studio advise`)."""
from .finding import Finding
from .report import findings, record
from .suggest import suggest_settings

__all__ = ["Finding", "findings", "record", "suggest_settings"]
