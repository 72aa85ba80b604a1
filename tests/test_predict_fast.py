"""studio.predict: a file's rows sorted by length into token-sized batches, results streamed
to the output in the input's order, bf16 where it pays - and the same predictions as the plain
fixed-batch path (inference.classify)."""
import random

import pandas as pd
import pytest

from studio import predict
from studio.inference import classify, load_base_model, predict_file, predict_to_file


@pytest.fixture(scope="module")
def lm():
    """The untrained tiny-bert classifier: built locally, no run needed."""
    return load_base_model("tiny-bert", "classification", ["neg", "pos"])


def varied_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    words = "good bad film plot acting dull great awful music long short fine".split()
    return [" ".join(rng.choice(words) for _ in range(rng.choice([1, 2, 5, 12, 30, 60])))
            for _ in range(n)]


def test_length_batches_cover_every_row_once_within_the_token_budget():
    lengths = [random.Random(1).randint(1, 100) for _ in range(500)]
    batches = predict.length_batches(lengths, tokens=512, max_rows=64)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(500))  # every row, once
    assert [lengths[i] for i in flat] == sorted(lengths)  # shortest first
    for b in batches:
        assert len(b) <= 64
        assert len({predict.bucket_width(lengths[i]) for i in b}) == 1  # one shape per width
        assert len(b) == 1 or len(b) * predict.bucket_width(lengths[b[-1]]) <= 512
    # short rows share a batch, long ones do not need to: fewer forward passes than 32-row ones
    assert len(batches) < len(lengths) / 8


@pytest.mark.heavy
def test_sorted_batches_give_the_plain_paths_labels_in_the_input_order(lm):
    texts = varied_texts(57)
    plain = classify(lm, texts, batch_size=32)
    fast = list(predict.classify_stream(lm, texts, window=16, bf16=False))
    assert len(fast) == len(texts)
    assert [r["prediction"] for r in fast] == [r["prediction"] for r in plain]
    for a, b in zip(fast, plain):
        for label in ("neg", "pos"):
            assert a["probabilities"][label] == pytest.approx(b["probabilities"][label],
                                                              abs=1e-5)


def test_text_pairs_keep_their_partner(lm):
    texts, pairs = varied_texts(20, 1), varied_texts(20, 2)
    plain = classify(lm, texts, pairs)
    fast = predict.classify_window(lm, texts, pairs, bf16=False, tokens=64)
    assert [r["probabilities"]["pos"] for r in fast] == pytest.approx(
        [r["probabilities"]["pos"] for r in plain], abs=1e-5)


@pytest.mark.heavy
def test_bf16_keeps_the_argmax_and_the_probabilities_close(lm):
    texts = varied_texts(40, 3)
    fp32 = predict.classify_window(lm, texts, bf16=False)
    bf16 = predict.classify_window(lm, texts, bf16=True)
    for a, b in zip(fp32, bf16):
        gap = abs(a["probabilities"]["pos"] - a["probabilities"]["neg"])
        if gap > 0.02:  # a near-tie may flip under any rounding
            assert a["prediction"] == b["prediction"]
        assert a["probabilities"]["pos"] == pytest.approx(b["probabilities"]["pos"], abs=0.02)


def test_auto_picks_bf16_only_for_wide_models_on_fast_bf16_hardware(lm, monkeypatch):
    from studio.jobs import numerics
    assert predict.use_bf16(lm.model) is False  # tiny-bert is too narrow to gain
    monkeypatch.setattr(numerics, "cpu_has_fast_bf16", lambda: True)
    lm.model.config.hidden_size, width = 384, lm.model.config.hidden_size
    try:
        assert predict.use_bf16(lm.model) is True
    finally:
        lm.model.config.hidden_size = width


def test_a_file_is_predicted_in_order_to_a_csv(lm, tmp_path):
    texts = varied_texts(45, 4)
    src = tmp_path / "in.csv"
    pd.DataFrame({"text": texts}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    rows = predict_file(lm, str(src), str(out))
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["row", "text", "prediction", "p_neg", "p_pos"]
    assert table["text"].tolist() == texts and table["row"].tolist() == sorted(table["row"])
    plain = classify(lm, texts)
    assert table["prediction"].tolist() == [r["prediction"] for r in plain]
    assert [r["prediction"] for r in rows] == table["prediction"].tolist()
    again = tmp_path / "again.csv"
    assert predict_to_file(lm, str(src), str(again)) == 45  # nothing kept, same file
    assert again.read_text() == out.read_text()


def test_rows_reach_the_file_before_the_last_window_is_predicted(lm, tmp_path, monkeypatch):
    texts = varied_texts(30, 5)
    frame = pd.DataFrame({"_row": range(2, 32), "text": texts})
    out = tmp_path / "stream.csv"
    seen = []
    real = predict.classify_window

    def spy(*args, **kwargs):
        seen.append(len(out.read_text().splitlines()) if out.exists() else 0)
        return real(*args, **kwargs)

    monkeypatch.setattr(predict, "classify_window", spy)
    result = predict.predict_frame(lm, frame, "in.csv", str(out), keep=False, window=10)
    assert result.count == 30 and result.rows is None  # nothing held in memory
    assert seen == [0, 11, 21]  # header + each earlier window already on disk
    assert pd.read_csv(out)["row"].tolist() == list(range(2, 32))


def test_a_file_without_text_is_refused_and_leaves_no_output(lm, tmp_path):
    from studio.errors import InferenceError
    out = tmp_path / "none.csv"
    with pytest.raises(InferenceError, match="No text column"):
        predict.predict_frame(lm, pd.DataFrame({"_row": [], "text": []}), "x.csv", str(out))
    assert not out.exists()


@pytest.mark.parametrize("model", ["tiny-gpt", "tiny-t5"])
@pytest.mark.heavy
def test_other_families_classify_the_same_sorted_or_not(model):
    """A GPT classifier reads its last real token, whichever side the padding is on."""
    other = load_base_model(model, "classification", ["a", "b", "c"])
    texts = varied_texts(25, 6)
    plain = classify(other, texts, batch_size=8)
    fast = predict.classify_window(other, texts, bf16=False, tokens=256)
    assert [r["prediction"] for r in fast] == [r["prediction"] for r in plain]
    assert [r["probabilities"]["b"] for r in fast] == pytest.approx(
        [r["probabilities"]["b"] for r in plain], abs=1e-4)
