"""Suspicious labels: rows of a classification file whose given label the data contradicts.

  embed     frozen MiniLM sentence embeddings (mean pooling), the offline encoder
  crossfit  K-fold out-of-fold probabilities from a logistic regression on those embeddings
  rank      cleanlab's self-confidence ranking of label issues (or the same rule without it)
  finder    a data file or a run -> a LabelReport (ranked suspects, counts per class)
  versions  the user's keep / relabel / exclude edits -> a new data file with its own
            fingerprint and a `.edits.json` record that a run's job.yaml carries
  commands  `python -m studio labels FILE|RUN`

Only out-of-fold (or a run's held-out) probabilities are ranked: a classifier's in-sample
probabilities agree with the labels it was fitted to, wrong ones included. Nothing here imports
gradio.
"""
from studio.labels.finder import LabelReport, Suspect, check_file, check_run  # noqa: F401
from studio.labels.versions import edits_for, save_version  # noqa: F401
