"""Rules over the loss curves of a run (its log and eval events): overfitting, still
learning, learning rate too high or too low. Each rule returns a Finding or None."""
from __future__ import annotations

from statistics import mean, median

from .facts import RunFacts
from .finding import Finding
from .suggest import usual_learning_rate

# Prechelt 1998, "Early stopping - but when?": the generalization loss GL(t) = 100 *
# (E_va(t) / E_opt(t) - 1), the rise of validation loss over its best so far, in percent;
# his GL_alpha criteria stop at alpha between 1 and 5. 5% is the tolerant end (small
# validation sets are noisy).
OVERFIT_GL_PCT = 5.0
# His UP_s criterion: the validation loss rose in s successive strips. A small rise that keeps
# going is not noise: GL of at least his smallest alpha (1%) reached by UP_STRIPS successive
# rises at the end of the run is overfitting too. (SmolLM2 LoRA, 30 epochs on 16 translation
# rows: 15 rises in a row to 4.6% over the best, under GL_5; noise seldom rises 3 times in a
# row: 1 in 8 for independent evaluations, and the 1% floor is above its size here.)
UP_STRIPS, UP_GL_PCT = 3, 1.0
# Prechelt's training progress looks at the last strip of training; here the last third of
# the logged losses against the third before it. A drop of more than 5% there means the
# curve has not flattened: more epochs would still lower it.
STILL_LEARNING_DROP = 0.05
STILL_LEARNING_VAL_DROP = 0.02   # validation loss must still be falling too (2% per eval)
TAIL_SHARE = 1 / 3
MIN_LOGS = 4                    # fewer points say nothing about a curve's shape
MORE_EPOCHS_FACTOR = 2
MAX_EPOCHS = 100                # train.epochs' own maximum
# Smith 2017, "Cyclical learning rates for training neural networks" (the LR range test):
# past the largest good rate the loss stops falling, turns ragged, then rises. A loss
# DIVERGE_FACTOR x above the first one is divergence (also the live check's rule).
DIVERGE_FACTOR = 3.0
# A jump: at a rate more than HIGH_RATIO x the model's usual one, a logged loss JUMP_FACTOR x
# the first one. Full fine-tuning of SmolLM2 at 30x its usual rate (1.5e-3) jumped to 2.05x
# and 1.72x its first loss during warm-up, then fell, so neither divergence (3x) nor spikes
# (which need a fall first) saw it, and its validation loss ended 1.8x the default run's. No
# run at or under its usual rate in bench/advisor_check.py went above 1.07x.
JUMP_FACTOR = 1.5
# Spikes: after the loss has fallen below SPIKE_LOW x the first loss, it comes back above
# the first loss SPIKES times or more, in at least SPIKE_SHARE of the logs since (one small
# batch's loss is noisy: a few jumps in a hundred logs are batches, not the rate).
SPIKE_LOW, SPIKES, SPIKE_SHARE = 0.7, 2, 0.1
# Flat: the last third's median is less than 5% under the first third's. Medians, because
# one batch's loss is noisy: SmolLM2 LoRA at lr/30 on 64 alpaca records logged 2.56 for its
# first batch and ~1.7 after, while its validation loss moved 0.06%; the thirds' means fell
# 8.6% on that one batch, their medians 1.4%.
FLAT_DROP = 0.05
# Smith 2017: good rates span about an order of magnitude; more than 3x the usual rate for
# a model with a flat loss points at a rate too high, less than that at one too low.
HIGH_RATIO = 3.0
LR_DIVIDE_NAN, LR_DIVIDE, LR_MULTIPLY = 10, 3, 3
# The failed run's code when studio.advisor.live_check stopped it, and its finding's code.
LIVE_CODES = {"diverged": "lr_too_high_rise", "diverged_nan": "lr_too_high_nan"}
# 10x or more under the model's usual rate: back to that rate (a known-good one for the
# model, where 10x more from a rate 30x too low still leaves it 3x too low), else x3.
FAR_BELOW = 10.0


def overfitting(f: RunFacts) -> Finding | None:
    if len(f.evals) < 2:
        return None
    best = min(f.evals, key=lambda e: e[2])
    last = f.evals[-1]
    if best is last or best[2] <= 0:
        return None
    gl = 100 * (last[2] / best[2] - 1)
    tail = [loss for _, _, loss in f.evals[-UP_STRIPS - 1:]]
    rising = len(tail) == UP_STRIPS + 1 and all(b > a for a, b in zip(tail, tail[1:]))
    if gl <= OVERFIT_GL_PCT and not (rising and gl >= UP_GL_PCT):
        return None
    epochs = max(round(best[1], 2), 0.01)
    return Finding.make("overfitting_best_kept" if f.load_best else "overfitting",
                        {"train.epochs": epochs}, best_epoch=round(best[1], 2),
                        best_step=best[0], best_loss=round(best[2], 4),
                        last_loss=round(last[2], 4), rise_pct=round(gl, 1), epochs=epochs)


def still_learning(f: RunFacts) -> Finding | None:
    losses = [loss for _, _, loss in f.logs if loss is not None]
    if len(losses) < MIN_LOGS or f.final.get("type") != "done":
        return None
    k = max(1, int(len(losses) * TAIL_SHARE))
    before, tail = mean(losses[-2 * k:-k]), mean(losses[-k:])
    if before <= 0 or (before - tail) / before <= STILL_LEARNING_DROP:
        return None
    drop = round(100 * (before - tail) / before, 1)
    epochs = min(MAX_EPOCHS, round(f.epochs * MORE_EPOCHS_FACTOR, 2)) if f.epochs else None
    suggestion = {"train.epochs": epochs} if epochs else {}
    if f.max_steps > 0:  # max_steps overrides epochs: more steps is what would help
        suggestion = {"train.max_steps": f.max_steps * MORE_EPOCHS_FACTOR}
    if len(f.evals) >= 2:
        prev, last = f.evals[-2][2], f.evals[-1][2]
        if prev <= 0 or (prev - last) / prev <= STILL_LEARNING_VAL_DROP:
            return None  # validation has flattened: more epochs would overfit, not help
        return Finding.make("still_learning", suggestion, train_drop_pct=drop,
                            val_drop_pct=round(100 * (prev - last) / prev, 1), epochs=epochs)
    return Finding.make("still_learning_train", suggestion, train_drop_pct=drop, epochs=epochs)


def lr_too_high(f: RunFacts) -> Finding | None:
    lr = f.learning_rate
    if not lr:
        return None
    stopped = f.final.get("params") or {}
    if f.final.get("code") in LIVE_CODES and stopped.get("new_lr"):  # the live check's own
        return lr_finding(LIVE_CODES[f.final["code"]], stopped["new_lr"], **{
            k: v for k, v in stopped.items() if k != "new_lr"})
    nan = next((step for step, _, loss in f.logs if loss is None), None)
    if nan is not None or f.final.get("code") == "diverged_nan":
        step = nan if nan is not None else stopped.get("step")
        return lr_finding("lr_too_high_nan", lr / LR_DIVIDE_NAN, step=step, lr=lr)
    losses = [(s, loss) for s, _, loss in f.logs if loss is not None]
    if len(losses) < 2 or losses[0][1] <= 0:
        return None
    first = losses[0][1]
    peak = max(losses[1:], key=lambda x: x[1])
    if peak[1] > DIVERGE_FACTOR * first:
        return lr_finding("lr_too_high_rise", lr / LR_DIVIDE_NAN, loss=peak[1], step=peak[0],
                          factor=round(peak[1] / first, 1), first_loss=first, lr=lr)
    spikes, since = 0, 0
    for _, loss in losses[1:]:
        since += since > 0 or loss < SPIKE_LOW * first
        spikes += since > 0 and loss > first
    usual = usual_learning_rate(f.model, f.family, f.method, f.parameters)
    if spikes >= SPIKES and spikes >= SPIKE_SHARE * since:
        # far above the model's usual rate: back by 10x, else by 3x
        divide = LR_DIVIDE_NAN if usual and lr >= FAR_BELOW * usual else LR_DIVIDE
        return lr_finding("lr_too_high_spikes", lr / divide, spikes=spikes,
                          first_loss=round(first, 4), lr=lr)
    if usual and lr > HIGH_RATIO * usual and peak[1] > JUMP_FACTOR * first:
        # back to the model's usual rate, known to be good for it
        return lr_finding("lr_too_high_jump", usual, loss=round(peak[1], 4), step=peak[0],
                          factor=round(peak[1] / first, 2), first_loss=round(first, 4), lr=lr,
                          ratio=round(lr / usual, 1), usual=usual)
    return None


def flat(f: RunFacts) -> tuple[float, float, float] | None:
    """(first third's mean, last third's mean, relative drop) when the loss is flat."""
    losses = [loss for _, _, loss in f.logs if loss is not None]
    if len(losses) < MIN_LOGS:
        return None
    k = max(1, int(len(losses) * TAIL_SHARE))
    head, tail = median(losses[:k]), median(losses[-k:])
    drop = (head - tail) / head if head > 0 else 0.0
    return (head, tail, drop) if drop < FLAT_DROP else None


def lr_too_low_or_high_flat(f: RunFacts) -> Finding | None:
    """A flat loss: the rate is far above the model's usual one (too high to learn) or not
    (too low)."""
    lr, curve = f.learning_rate, flat(f)
    if not lr or curve is None:
        return None
    head, tail, drop = curve
    usual = usual_learning_rate(f.model, f.family, f.method, f.parameters)
    common = dict(drop_pct=round(100 * drop, 1), first_loss=round(head, 4),
                  last_loss=round(tail, 4), lr=lr)
    if usual and lr > HIGH_RATIO * usual:
        return lr_finding("lr_too_high_flat", lr / LR_DIVIDE_NAN, **common,
                          ratio=round(lr / usual, 1), usual=usual)
    if usual and lr * FAR_BELOW <= usual:
        return lr_finding("lr_too_low", usual, **common)
    return lr_finding("lr_too_low", lr * LR_MULTIPLY, **common)


def lr_finding(code: str, new_lr: float, **params) -> Finding:
    """A finding whose suggestion is a new learning rate, rounded to 2 significant digits
    and kept inside train.learning_rate's range; the sentence names the same number."""
    new_lr = float(f"{min(max(new_lr, 1e-7), 1e-1):.2g}")
    return Finding.make(code, {"train.learning_rate": new_lr}, **params, new_lr=new_lr)
