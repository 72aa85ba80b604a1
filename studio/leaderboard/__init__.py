"""Comparing runs fairly: the leaderboard of runs on the same data (with confidence intervals
and a verdict on the best two), and two runs side by side. No UI here: components/ shows it,
`python -m studio leaderboard` prints it."""
from .board import Entry, Group, board, find_group  # noqa: F401
from .compare import Comparison, compare  # noqa: F401
from .text import board_text  # noqa: F401
from .verdict import Verdict  # noqa: F401
