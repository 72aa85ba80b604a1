"""Generated validation samples carry the same row `key` whatever the model family, so a GPT
and a T5 candidate of one sweep pair up row by row (classification: test_sweep_cli)."""
import json

from helpers import make_job, tiny_tokenizer
from studio.data import load_job_data
from studio.models import ensure_tiny
from studio.rowkeys import row_keys
from studio.tasks import causal_lm, seq2seq


def test_gpt_and_t5_samples_have_the_same_keys(data_dir):
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM
    cfg = make_job(data_dir / "chat.json", "tiny-gpt", task="chat",
                   train__generation_samples=3, train__max_length=64)
    frame = load_job_data(cfg).validation
    gpt = causal_lm.generate_eval(AutoModelForCausalLM.from_pretrained(ensure_tiny("tiny-gpt")),
                                  causal_lm.prepare_tokenizer(tiny_tokenizer("tiny-gpt")),
                                  frame, cfg)
    t5 = seq2seq.generate_eval(AutoModelForSeq2SeqLM.from_pretrained(ensure_tiny("tiny-t5")),
                               tiny_tokenizer("tiny-t5"), frame, cfg)
    gpt_keys = [s["key"] for s in gpt["samples"]]
    assert gpt_keys == [s["key"] for s in t5["samples"]] and len(gpt_keys) == 3
    expected = row_keys(json.dumps(m, ensure_ascii=False, default=str)
                        for m in frame["messages"].head(3))
    assert gpt_keys == expected
