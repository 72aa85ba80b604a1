"""One finding of the training-health advisor: a stable code, its numbers, one English
sentence made from them, and the overrides that act on it ({} where no setting does)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

# The English sentence of each code; components/strings_zh.py ZH_FINDINGS has the Chinese one
# with the same {params}, so the page can say it in either language.
SENTENCES = {
    "overfitting": "Validation loss was lowest at epoch {best_epoch} (step {best_step}, "
                   "{best_loss}) and has risen {rise_pct}% since, to {last_loss}: the model is "
                   "overfitting; the saved model is the last one, so train for {epochs_phrase} "
                   "(or turn on early stopping to keep the best).",
    "overfitting_best_kept": "Validation loss was lowest at epoch {best_epoch} (step "
                             "{best_step}, {best_loss}) and has risen {rise_pct}% since, to "
                             "{last_loss}: the model is overfitting; the saved model is the "
                             "best one, from step {best_step}; {epochs_phrase} would be enough.",
    "still_learning": "Training loss fell {train_drop_pct}% and validation loss "
                      "{val_drop_pct}% over the last part of the run: the model is still "
                      "learning; train for {epochs_phrase}.",
    "still_learning_train": "Training loss fell {train_drop_pct}% over the last part of the "
                            "run: the model is still learning; train for {epochs_phrase}.",
    "lr_too_high_nan": "The loss became NaN at step {step} with learning rate {lr}: the "
                       "learning rate is too high; train again with {new_lr}.",
    "lr_too_high_rise": "The loss rose to {loss} at step {step}, {factor}x the first loss "
                        "({first_loss}), with learning rate {lr}: training diverged; train "
                        "again with learning rate {new_lr}.",
    "lr_too_high_spikes": "The loss jumped back above the first loss ({first_loss}) {spikes} "
                          "times after it had fallen, with learning rate {lr}: the learning "
                          "rate is too high; try {new_lr}.",
    "lr_too_high_jump": "The loss jumped to {loss} at step {step}, {factor}x the first loss "
                        "({first_loss}), with learning rate {lr}, {ratio}x the usual {usual} for "
                        "this model: the learning rate is too high; train again with {new_lr}.",
    "lr_too_high_flat": "The loss barely moved ({drop_pct}% from {first_loss} to {last_loss}) "
                        "with learning rate {lr}, {ratio}x the usual {usual} for this model: "
                        "the learning rate is too high to learn; try {new_lr}.",
    "lr_too_low": "The loss barely moved ({drop_pct}% from {first_loss} to {last_loss}) with "
                  "learning rate {lr}: the learning rate is too low; try {new_lr}.",
    "classes_ignored": "The model never predicts {classes} correctly (recall 0 on {support} "
                       "validation rows): it ignores them; add rows of those classes or train "
                       "longer.",
    "classes_unbalanced": "Macro-F1 ({macro_f1}) is {gap} below accuracy ({accuracy}): the "
                          "model serves the frequent classes and neglects the rare ones; add "
                          "rows of the rare classes.",
    "too_little_data": "{rows} training rows for {trainable} trainable parameters "
                       "({per_row} per row): full fine-tuning can memorise so few rows; "
                       "train LoRA adapters instead, or add rows.",
    "too_little_data_lora": "{rows} training rows is very little for this model ({trainable} "
                            "trainable parameters): expect an unstable score; add rows.",
    "generation_repeats": "{count} of {total} generated samples repeat themselves ({share_pct}% "
                          "of their {n}-grams are repeats), e.g. \"{example}\"; train "
                          "longer or on more rows.",
    "generation_empty": "{count} of {total} generated samples are empty: the model ends its "
                        "answer at once; train longer or check that the answers in the data "
                        "are not empty.",
}

# A few words per code, for a table cell (the leaderboard's "advisor" column); the Chinese in
# components/strings_zh.py ZH_FINDING_SHORT, with the same {params}.
SHORT = {
    "overfitting": "overfitting after epoch {best_epoch}",
    "overfitting_best_kept": "overfitting after epoch {best_epoch} (best kept)",
    "still_learning": "still learning",
    "still_learning_train": "still learning",
    "lr_too_high_nan": "LR too high (NaN)",
    "lr_too_high_rise": "LR too high (diverged)",
    "lr_too_high_spikes": "LR too high (spikes)",
    "lr_too_high_jump": "LR too high (loss jumped)",
    "lr_too_high_flat": "LR too high (flat loss)",
    "lr_too_low": "LR too low",
    "classes_ignored": "ignores {classes}",
    "classes_unbalanced": "rare classes neglected",
    "too_little_data": "too little data ({rows} rows)",
    "too_little_data_lora": "too little data ({rows} rows)",
    "generation_repeats": "repeats itself ({count}/{total})",
    "generation_empty": "empty answers ({count}/{total})",
}


def short_text(code: str, params: dict) -> str:
    """The few words of a finding in English (the code itself for one this version lacks)."""
    try:
        return SHORT[code].format(**{k: show(v) for k, v in (params or {}).items()})
    except (KeyError, IndexError, ValueError):
        return code


@dataclass
class Finding:
    code: str
    params: dict
    sentence: str
    suggestion: dict = field(default_factory=dict)  # dotted overrides: {"train.epochs": 2}

    @classmethod
    def make(cls, code: str, suggestion: dict | None = None, **params) -> "Finding":
        return cls(code, params, SENTENCES[code].format(**shown(params)),
                   dict(suggestion or {}))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        return cls(str(d.get("code", "")), dict(d.get("params") or {}),
                   str(d.get("sentence", "")), dict(d.get("suggestion") or {}))

    def overrides(self) -> list[str]:
        """The suggestion as `key=value` words for `python -m studio train`."""
        return [f"{k}={show(v)}" for k, v in self.suggestion.items()]


def shown(params: dict) -> dict:
    """A finding's params as its sentences print them, plus the English words they need
    ("1 epoch", "3 epochs"): the one place both the engine and the page format them."""
    words = {k: show(v) for k, v in (params or {}).items()}
    if "epochs" in words:
        words["epochs_phrase"] = f"{words['epochs']} epoch" + \
            ("" if words["epochs"] == "1" else "s")
    return words


def show(value):
    """Numbers as a user reads and types them: 0.0003, 3e-06, 2, 0.693."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return value
