"""Try several: one job, a grid of settings, candidates trained on one shared split.

  grid.py        parse `key=a,b` items, expand them into named candidate jobs
  candidates.py  check every candidate before anything is queued; pin the task, early stopping
  manifest.py    the sweep's record in the workspace (sweeps/<id>.json)
  budget.py      the time budget from the first candidate's speed
  launch.py      queue a sweep on the JobQueue (the page) and watch it
  foreground.py  run a sweep in this process, one candidate after another (the CLI)
  progress.py    one line per candidate
  commands.py    `python -m studio sweep`
"""
from .grid import GRID_KEYS, MAX_CANDIDATES, expand, parse_grid  # noqa: F401
from .launch import Driver, rearm, start  # noqa: F401
from .manifest import Sweep, load  # noqa: F401
from .progress import Line, note, progress  # noqa: F401
