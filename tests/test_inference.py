"""studio.inference: trained runs (and base models) classify, generate, predict and evaluate
files; loaded models live in a small LRU cache."""
import pandas as pd
import pytest

from helpers import make_job, train_in_process
from studio.errors import InferenceError
from studio.inference import (ModelCache, chat_messages, classify, evaluate_file,
                              generate_stream, generate_text, load_base_model, load_run_model,
                              predict_file, predict_texts)


@pytest.fixture(scope="module")
def classifier(data_dir, tmp_path_factory):
    """A briefly trained tiny-bert run, shared by the read-only tests below."""
    ws = tmp_path_factory.mktemp("inference_ws")
    cfg = make_job(data_dir / "sentiment.csv", "tiny-bert", train__max_steps=2,
                   train__eval_before="false", name="clf")
    code, run_dir, registry = train_in_process(cfg, ws)
    assert code == 0
    return run_dir, registry


@pytest.mark.heavy
def test_classify_gives_a_label_and_probabilities(classifier):
    run_dir, _ = classifier
    lm = load_run_model(run_dir / "model")
    assert lm.task == "classification" and lm.family == "bert" and lm.ref == run_dir.name
    assert lm.labels == ["negative", "positive"] and lm.max_length == 128
    out = classify(lm, ["the film was great", "awful", "ok"], batch_size=2)
    assert len(out) == 3
    for r in out:
        assert set(r["probabilities"]) == {"negative", "positive"}
        assert sum(r["probabilities"].values()) == pytest.approx(1, abs=1e-5)
        assert r["prediction"] == max(r["probabilities"], key=r["probabilities"].get)
    texts = predict_texts(lm, ["the film was great"])
    assert texts[0]["input"] == "the film was great"
    assert texts[0]["prediction"] == out[0]["prediction"]


def test_predict_and_evaluate_a_classification_file(classifier, data_dir, tmp_path):
    run_dir, _ = classifier
    lm = load_run_model(run_dir / "model")
    out = tmp_path / "pred.csv"
    rows = predict_file(lm, str(data_dir / "sentiment_test.csv"), str(out))
    assert len(rows) == 40 and [r["row"] for r in rows] == sorted(r["row"] for r in rows)
    table = pd.read_csv(out)
    assert list(table.columns) == ["row", "text", "prediction", "p_negative", "p_positive"]
    assert table["text"].tolist() == pd.read_csv(data_dir / "sentiment_test.csv")["text"].tolist()
    m = evaluate_file(lm, str(data_dir / "sentiment_test.csv"))
    assert m["rows"] == 40 and 0 <= m["accuracy"] <= 1
    agree = (table["prediction"] == pd.read_csv(data_dir / "sentiment_test.csv")["label"]).mean()
    assert m["accuracy"] == pytest.approx(agree)


def test_labels_the_model_never_saw_are_refused(classifier, tmp_path):
    run_dir, _ = classifier
    path = tmp_path / "odd.csv"
    pd.DataFrame({"text": ["a b c", "d e f", "g h i"],
                  "label": ["positive", "neutral", "mixed"]}).to_csv(path, index=False)
    with pytest.raises(InferenceError) as err:
        evaluate_file(load_run_model(run_dir / "model"), str(path))
    assert "labels the model was not trained on: mixed, neutral" in str(err.value)


def test_a_run_without_a_model_cannot_be_loaded(tmp_path):
    with pytest.raises(InferenceError) as err:
        load_run_model(tmp_path / "model")
    assert err.value.code == "inference" and "holds no trained model" in str(err.value)


def test_the_cache_loads_a_run_once_and_drops_it_on_request(classifier):
    run_dir, registry = classifier
    cache = ModelCache(capacity=2)
    a = cache.run(registry, "clf")  # by name
    assert cache.run(registry, run_dir.name) is a  # by id: the same loaded model
    cache.drop(run_dir.name)
    assert cache.run(registry, run_dir.name) is not a
    with pytest.raises(InferenceError) as err:
        cache.run(registry, "nope")
    assert "No run 'nope'" in str(err.value)


def test_model_cache_keeps_at_most_capacity():
    cache = ModelCache(capacity=2)
    loads = []
    for key in ["a", "b", "a", "c", "a"]:
        cache.get((key,), lambda k=key: loads.append(k) or k)
    assert loads == ["a", "b", "c"]  # 'a' stayed (recently used), 'b' was dropped for 'c'
    cache.get(("c",), lambda: loads.append("c") or "c")
    assert loads == ["a", "b", "c"]  # 'c' is still held beside 'a'
    cache.get(("b",), lambda: loads.append("b") or "b")
    assert loads == ["a", "b", "c", "b"]  # 'b' was gone: loaded again, and 'a' dropped for it
    cache.get(("a",), lambda: loads.append("a") or "a")
    assert loads == ["a", "b", "c", "b", "a"]  # two held at most: 'a' had to load again


def test_chat_messages_add_the_system_prompt_and_keep_only_chat_turns():
    class LM:
        system_prompt = "Saved prompt."
    history = [{"role": "user", "content": "hi", "metadata": {}},
               {"role": "tool", "content": "x"}, {"role": "assistant", "content": "hello"}]
    msgs = chat_messages(LM(), "again", history)
    assert msgs == [{"role": "system", "content": "Saved prompt."},
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "hello"},
                    {"role": "user", "content": "again"}]
    assert chat_messages(LM(), "x", system_prompt="Typed.")[0]["content"] == "Typed."


def test_chat_messages_flatten_the_chat_widgets_content_parts():
    """The chat widget hands earlier turns back as lists of typed parts: the second message
    used to fail with 'can only concatenate str (not "list") to str'."""
    class LM:
        system_prompt = ""
    history = [{"role": "user", "content": [{"type": "text", "text": "first"}]},
               {"role": "assistant", "content": [{"type": "text", "text": "reply "},
                                                 {"type": "text", "text": "one"}]}]
    msgs = chat_messages(LM(), [{"type": "text", "text": "second"}], history)
    assert msgs == [{"role": "user", "content": "first"},
                    {"role": "assistant", "content": "reply one"},
                    {"role": "user", "content": "second"}]


@pytest.mark.heavy
def test_generation_run_predicts_and_evaluates_files(data_dir, workspace, tmp_path):
    cfg = make_job(data_dir / "pairs.csv", "tiny-t5", train__max_steps=2,
                   train__eval_before="false")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    lm = load_run_model(run_dir / "model")
    out = tmp_path / "pred.csv"
    rows = predict_file(lm, str(data_dir / "pairs.csv"), str(out), max_new_tokens=4)
    assert len(rows) == 96 and len(pd.read_csv(out)) == 96
    assert rows[0]["input"] == pd.read_csv(data_dir / "pairs.csv")["source"][0]
    m = evaluate_file(lm, str(data_dir / "pairs.csv"))
    assert m["rows"] == 96 and m["eval_loss"] > 0 and {"bleu", "chrf", "rougeL"} <= set(m)
    assert m["perplexity"] == pytest.approx(2.718281828 ** m["eval_loss"], rel=1e-6)


@pytest.mark.heavy
def test_streaming_yields_growing_text(data_dir, workspace):
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", train__max_steps=2,
                   train__eval_before="false")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    lm = load_run_model(run_dir / "model")
    parts = list(generate_stream(lm, chat_messages(lm, "hello", system_prompt="Be brief."),
                                 max_new_tokens=12, temperature=0.8, top_p=0.9))
    assert parts and all(parts[i + 1].startswith(parts[i]) for i in range(len(parts) - 1))
    assert not any("\ufffd" in p for p in parts)  # whole characters only, even from noise
    history = [{"role": "user", "content": [{"type": "text", "text": "hello"}]},
               {"role": "assistant", "content": [{"type": "text", "text": parts[-1]}]}]
    second = generate_text(lm, chat_messages(lm, "and again?", history), max_new_tokens=6)
    assert isinstance(second, str) and "\ufffd" not in second
    assert generate_text(lm, chat_messages(lm, "hello"), max_new_tokens=6) == \
        generate_text(lm, chat_messages(lm, "hello"), max_new_tokens=6)  # greedy: repeatable


def test_a_base_model_for_before_and_after(data_dir):
    lm = load_base_model("tiny-bert", "classification", ["neg", "pos"])
    assert (lm.ref, lm.family, lm.labels) == ("tiny-bert", "bert", ["neg", "pos"])
    assert classify(lm, ["x"])[0]["prediction"] in ("neg", "pos")


@pytest.mark.heavy
def test_a_lora_run_loads_merged_into_plain_weights(data_dir, workspace):
    from peft import PeftModel
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", "chat", method__method="lora",
                   train__max_steps=2, train__eval_before="false")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    lm = load_run_model(run_dir / "model")
    assert not isinstance(lm.model, PeftModel)
    assert not any("lora_" in n for n, _ in lm.model.named_parameters())
    assert isinstance(generate_text(lm, chat_messages(lm, "hi"), max_new_tokens=4), str)


@pytest.mark.parametrize("model", ["tiny-bert", "tiny-t5"])
@pytest.mark.heavy
def test_a_lora_classifier_gives_the_same_probabilities_on_every_load(model, data_dir, workspace):
    """The pooler (missing from tiny-bert's checkpoint) and T5's classification head are saved
    with the adapter; before, each load drew them anew and the probabilities changed."""
    from studio.inference import classify
    cfg = make_job(data_dir / "sentiment.csv", model, method__method="lora",
                   train__max_steps=2, train__eval_before="false")
    code, run_dir, _ = train_in_process(cfg, workspace)
    assert code == 0
    first = classify(load_run_model(run_dir / "model"), ["the film was great"])
    second = classify(load_run_model(run_dir / "model"), ["the film was great"])
    assert first == second
