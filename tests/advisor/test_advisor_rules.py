"""Every advisor rule over synthetic run folders, on both sides of its threshold."""
from __future__ import annotations

import pytest

from advisor_data import falling, fake_run
from studio.advisor import findings
from studio.advisor import curves, outputs


def codes(folder):
    return [f.code for f in findings(folder)]


def one(folder, code):
    found = [f for f in findings(folder) if f.code == code]
    assert len(found) == 1, [f.code for f in findings(folder)]
    return found[0]


# ---- overfitting (Prechelt's generalization loss) -----------------------------------------
def test_one_epoch_is_singular_on_the_page_and_in_the_engine(tmp_path):
    from components.advice_view import finding_text
    f = one(fake_run(tmp_path, falling(), evals=[0.5, 0.6, 0.7], epochs=3), "overfitting")
    assert f.suggestion == {"train.epochs": 1}
    for text in (f.sentence, finding_text(f, "en"), finding_text(f.to_dict(), "en")):
        assert "train for 1 epoch (" in text and "1 epochs" not in text
    assert "训练 1 轮" in finding_text(f, "zh-CN")


def test_overfitting_names_the_best_epoch_and_suggests_it(tmp_path):
    f = one(fake_run(tmp_path, falling(), evals=[0.9, 0.6, 0.5, 0.55], epochs=4),
            "overfitting")
    assert f.suggestion == {"train.epochs": 3}
    assert f.params["rise_pct"] == 10.0 and f.params["best_step"] == 30
    assert "lowest at epoch 3" in f.sentence and "risen 10% since" in f.sentence
    assert "the saved model is the last one" in f.sentence
    assert f.overrides() == ["train.epochs=3"]


def test_overfitting_says_the_best_model_is_kept_with_early_stopping(tmp_path):
    f = one(fake_run(tmp_path, falling(), evals=[0.9, 0.5, 0.6], patience=1),
            "overfitting_best_kept")
    assert "the saved model is the best one, from step 20" in f.sentence
    assert f.suggestion == {"train.epochs": 2}


def test_a_rise_under_the_threshold_is_noise(tmp_path):
    rise = 1 + (curves.OVERFIT_GL_PCT - 1) / 100  # 4% over the best
    assert "overfitting" not in codes(fake_run(tmp_path, falling(),
                                               evals=[0.9, 0.5, 0.5 * rise]))


def test_a_small_rise_that_keeps_going_is_overfitting(tmp_path):
    # Prechelt's UP_3 with GL >= 1%: three rises in a row at the end, 2% over the best
    f = one(fake_run(tmp_path, falling(), evals=[0.9, 0.5, 0.502, 0.505, 0.51], epochs=5),
            "overfitting")
    assert f.suggestion == {"train.epochs": 2} and f.params["rise_pct"] == 2.0


@pytest.mark.parametrize("evals", [
    [0.9, 0.5, 0.49, 0.495, 0.5],          # 2% over the best, but two rises, not three
    [0.9, 0.5, 0.501, 0.502, 0.503],       # three rises, but 0.6% in all: noise's size
])
def test_a_short_or_tiny_rise_is_not_overfitting(tmp_path, evals):
    assert "overfitting" not in codes(fake_run(tmp_path, falling(), evals=evals, epochs=5))


# ---- still learning ------------------------------------------------------------------------
def steep(n=20):
    return [2.0 - 1.5 * i / n for i in range(n)]  # a straight line down: far from flat


def test_still_learning_suggests_more_epochs(tmp_path):
    f = one(fake_run(tmp_path, steep(), evals=[1.0, 0.8, 0.6], epochs=3), "still_learning")
    assert f.suggestion == {"train.epochs": 6}
    assert f.params["val_drop_pct"] == 25.0 and "still learning" in f.sentence


def test_still_learning_without_validation_and_with_max_steps(tmp_path):
    f = one(fake_run(tmp_path, steep(), max_steps=20), "still_learning_train")
    assert f.suggestion == {"train.max_steps": 40}


def test_not_still_learning_when_validation_flattened_or_the_curve_did(tmp_path):
    assert not {"still_learning", "still_learning_train"} & set(
        codes(fake_run(tmp_path / "a", steep(), evals=[1.0, 0.8, 0.795])))
    assert codes(fake_run(tmp_path / "b", falling(30), evals=[1.0, 0.8, 0.6])) == []


# ---- learning rate too high ----------------------------------------------------------------
def test_nan_loss_means_the_rate_is_too_high(tmp_path):
    f = one(fake_run(tmp_path, [1.0, 0.9, None, None], lr=3e-2), "lr_too_high_nan")
    assert f.suggestion == {"train.learning_rate": 3e-3} and f.params["step"] == 3
    assert "became NaN at step 3" in f.sentence


def test_a_run_the_live_check_stopped_for_nan(tmp_path):
    folder = fake_run(tmp_path, [1.0, 0.9], lr=1e-2, final="failed",
                      final_fields={"code": "diverged_nan", "params": {"step": 7},
                                    "reason": "x"})
    assert one(folder, "lr_too_high_nan").params["step"] == 7


def test_a_loss_far_above_the_first_is_divergence(tmp_path):
    f = one(fake_run(tmp_path, [1.0, 0.8, 3.5, 4.0, 4.0, 4.0], lr=1e-2), "lr_too_high_rise")
    assert f.params["factor"] == 4.0 and f.suggestion == {"train.learning_rate": 1e-3}
    # and it hides the rest: a diverged curve is not "flat" nor "still learning"
    assert codes(fake_run(tmp_path / "b", [1.0, 0.8, 3.5, 4.0, 4.0, 4.0], lr=1e-2)) == [
        "lr_too_high_rise"]


def test_spikes_back_above_the_first_loss(tmp_path):
    f = one(fake_run(tmp_path, [1.0, 0.6, 1.2, 0.5, 1.1, 0.4, 0.4, 0.3], lr=3e-3),
            "lr_too_high_spikes")
    assert f.params["spikes"] == 2 and f.suggestion == {"train.learning_rate": 1e-3}
    assert "lr_too_high_spikes" not in codes(fake_run(
        tmp_path / "one", [1.0, 0.6, 1.2, 0.5, 0.45, 0.4, 0.4, 0.3], lr=3e-3))


JUMP = [0.70, 0.68, 1.60, 0.90, 0.70, 0.69, 0.70, 0.66]   # 2.29x the first loss, then back


def test_a_jump_at_a_rate_far_above_the_usual_one_goes_back_to_it(tmp_path):
    f = one(fake_run(tmp_path, JUMP, lr=3e-2), "lr_too_high_jump")  # tiny-bert's usual 1e-3
    assert f.params["factor"] == 2.29 and f.params["ratio"] == 30 and f.params["step"] == 3
    assert f.suggestion == {"train.learning_rate": 1e-3}
    assert "30x the usual 0.001" in f.sentence and "train again with 0.001" in f.sentence


@pytest.mark.parametrize("losses,lr", [
    (JUMP, 1e-3),                                          # at the usual rate: a noisy batch
    ([0.70, 0.68, 1.00, 0.90, 0.70, 0.69, 0.70, 0.66], 3e-2),  # 1.43x: under the jump
])
def test_no_jump_at_the_usual_rate_or_under_one_and_a_half_times(tmp_path, losses, lr):
    assert "lr_too_high_jump" not in codes(fake_run(tmp_path, losses, lr=lr))


# ---- flat loss: too low, or far too high ----------------------------------------------------
FLAT = [0.70, 0.69, 0.70, 0.69, 0.70, 0.69, 0.70, 0.69]


def test_flat_loss_far_below_the_usual_rate_goes_back_to_it(tmp_path):
    f = one(fake_run(tmp_path, FLAT, lr=1e-6), "lr_too_low")  # tiny-bert's usual: 1e-3
    assert f.suggestion == {"train.learning_rate": 1e-3}
    # 30x under (bench/advisor_check.py's lr /30): x10 would still be 3x too low
    f = one(fake_run(tmp_path / "b", FLAT, lr=1e-3 / 30), "lr_too_low")
    assert f.suggestion == {"train.learning_rate": 1e-3}
    assert "barely moved" in f.sentence and "too low" in f.sentence


def test_one_noisy_batch_does_not_hide_a_flat_loss(tmp_path):
    # SmolLM2 LoRA at lr/30 on 64 alpaca records: the first batch's 2.56 made the thirds'
    # means fall 8.6%; their medians fell 1.4%, and the validation loss 0.06%
    logged = [2.562, 1.718, 1.725, 1.667, 1.702, 1.742, 1.635, 1.645, 2.056, 1.637, 1.566,
              2.051, 1.759]
    f = one(fake_run(tmp_path, logged, lr=1e-3 / 30), "lr_too_low")  # tiny-bert's usual 1e-3
    assert f.suggestion == {"train.learning_rate": 1e-3}


def test_flat_loss_near_the_usual_rate_multiplies_by_three(tmp_path):
    f = one(fake_run(tmp_path, FLAT, lr=5e-4), "lr_too_low")
    assert f.suggestion == {"train.learning_rate": 1.5e-3}


def test_flat_loss_far_above_the_usual_rate_is_too_high(tmp_path):
    f = one(fake_run(tmp_path, FLAT, lr=3e-2), "lr_too_high_flat")
    assert f.suggestion == {"train.learning_rate": 3e-3} and f.params["ratio"] == 30.0


def test_a_drop_just_over_the_threshold_is_not_flat(tmp_path):
    drop = curves.FLAT_DROP + 0.01
    losses = [1.0, 1.0, 1.0, 1.0, 1.0 - drop, 1.0 - drop, 1.0 - drop, 1.0 - drop]
    assert "lr_too_low" not in codes(fake_run(tmp_path, losses, lr=1e-6))


# ---- classes ignored -----------------------------------------------------------------------
def per_class(**recalls):
    return {name: {"precision": 0.5, "recall": r, "f1": r, "support": s}
            for name, (r, s) in recalls.items()}


def test_a_class_with_recall_zero_is_ignored(tmp_path):
    after = {"accuracy": 0.8, "macro_f1": 0.45, "per_class": per_class(a=(1.0, 8), b=(0.0, 2))}
    f = one(fake_run(tmp_path, falling(), after=after), "classes_ignored")
    assert f.params["classes"] == ["b"] and f.params["support"] == 2
    assert "never predicts b correctly" in f.sentence


def test_macro_f1_far_below_accuracy(tmp_path):
    after = {"accuracy": 0.9, "macro_f1": 0.6, "per_class": per_class(a=(0.95, 9), b=(0.3, 1))}
    f = one(fake_run(tmp_path / "a", falling(), after=after), "classes_unbalanced")
    assert f.params["gap"] == 0.3
    close = {"accuracy": 0.9, "macro_f1": 0.9 - outputs.MACRO_GAP + 0.01,
             "per_class": per_class(a=(0.95, 9), b=(0.5, 1))}
    assert codes(fake_run(tmp_path / "b", falling(), after=close)) == []


def test_per_class_recall_from_the_predictions_when_metrics_lack_it(tmp_path):
    folder = fake_run(tmp_path, falling(), after={"accuracy": 0.75, "macro_f1": 0.43})
    folder.write_outputs("predictions", "after", [
        {"label": "a", "predicted": "a"}] * 6 + [{"label": "b", "predicted": "a"}] * 2)
    assert one(folder, "classes_ignored").params["classes"] == ["b"]


# ---- too little data -----------------------------------------------------------------------
@pytest.mark.parametrize("rows, trainable, method, expected", [
    (40, 1_000_000, "full", "too_little_data"),     # 25,000 parameters per row
    (40, 100_000, "full", None),                    # 2,500 per row: under the threshold
    (2000, 100_000_000, "full", None),              # enough rows
    (50, 100_000, "lora", "too_little_data_lora"),
    (500, 100_000, "lora", None)])
def test_rows_against_trainable_parameters(tmp_path, rows, trainable, method, expected):
    found = codes(fake_run(tmp_path, falling(), rows=rows, trainable=trainable, method=method))
    assert [c for c in found if c.startswith("too_little")] == ([expected] if expected else [])
    if expected == "too_little_data":
        assert one(fake_run(tmp_path / "again", falling(), rows=rows, trainable=trainable),
                   expected).suggestion == {"method.method": "lora"}


# ---- generation samples --------------------------------------------------------------------
def gen_run(path, samples):
    return fake_run(path, falling(), task="chat", model="tiny-gpt", family="gpt",
                    samples=samples)


def test_samples_that_repeat_themselves(tmp_path):
    f = one(gen_run(tmp_path, ["the cat sat the cat sat the cat sat the cat sat the cat sat",
                               "aaaaaaaaaaaaaaaaaaaa", "A fine answer to the question, "
                               "with nothing said twice in it."]), "generation_repeats")
    assert f.params["count"] == 2 and f.params["total"] == 3


def test_varied_samples_do_not_repeat(tmp_path):
    assert codes(gen_run(tmp_path, ["A fine answer to the question, with nothing said twice.",
                                    "Paris is the capital of France.", "yes"])) == []
    assert outputs.repeat_share("one two") is None  # too short to say


def test_empty_samples(tmp_path):
    f = one(gen_run(tmp_path, ["", "  ", "an answer", "another answer"]), "generation_empty")
    assert f.params == {"count": 2, "total": 4}
    assert "generation_empty" not in codes(gen_run(tmp_path / "b", ["", "a", "b", "c", "d"]))


# ---- storage -------------------------------------------------------------------------------
def test_findings_are_recorded_as_a_file_and_events(tmp_path):
    from studio.advisor import record
    from studio.advisor.report import stored
    from studio.events import EventWriter
    folder = fake_run(tmp_path, falling(), evals=[0.9, 0.6, 0.5, 0.55], epochs=4,
                      final="message")
    assert folder.read_findings() is None and stored(folder) is None
    found = record(folder, EventWriter(folder.events_file))
    assert [f.code for f in stored(folder)] == [f.code for f in found] == ["overfitting"]
    events = [e for e in folder.events() if e["type"] == "finding"]
    assert events[0]["code"] == "overfitting" and events[0]["suggestion"] == {
        "train.epochs": 3} and events[0]["text"] == found[0].sentence
