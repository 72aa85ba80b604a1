"""One judge for every contender of the instruction job: eval loss of a saved LoRA adapter.

Each tool reports an eval loss computed its own way (batching, precision, which tokens count),
and those differ by more than the 0.02 the target allows: the same two adapters scored 1.608
(studio) and 1.585 (TRL) by their own tools but 1.612 and 1.599 here. So the harness scores
every saved adapter with this script, which uses none of the studio's code: alpaca records
become a user turn (instruction, plus input after a blank line) and an assistant turn, rendered
with the tokenizer's chat template like TRL's prompt/completion data; the loss is the mean
cross-entropy over the completion tokens of all records (token-weighted), in fp32, truncated
at --max-length.

    python bench/score_chat.py --base MODEL_DIR --adapter ADAPTER_DIR --eval eval.json
"""
from __future__ import annotations

import argparse
import json

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer


def records_to_examples(records: list[dict], tokenizer, max_length: int) -> list[tuple]:
    out = []
    for r in records:
        user = r["instruction"] + (f"\n\n{r['input']}" if r.get("input", "").strip() else "")
        prompt = [{"role": "user", "content": user}]
        full = prompt + [{"role": "assistant", "content": r["output"]}]
        p_ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True)
        f_ids = tokenizer.apply_chat_template(full, tokenize=True)
        p_ids = p_ids["input_ids"] if hasattr(p_ids, "keys") else p_ids
        f_ids = f_ids["input_ids"] if hasattr(f_ids, "keys") else f_ids
        assert f_ids[:len(p_ids)] == p_ids, "chat template does not extend the prompt"
        labels = [-100] * len(p_ids) + f_ids[len(p_ids):]
        out.append((f_ids[:max_length], labels[:max_length]))
    return out


@torch.no_grad()
def score(model, examples: list[tuple], pad_id: int, batch: int = 8) -> float:
    model.eval()
    total, count = 0.0, 0
    for s in range(0, len(examples), batch):
        part = examples[s:s + batch]
        n = max(len(ids) for ids, _ in part)
        ids = torch.full((len(part), n), pad_id)
        labels = torch.full((len(part), n), -100)
        mask = torch.zeros((len(part), n), dtype=torch.long)
        for i, (x, y) in enumerate(part):
            ids[i, :len(x)], labels[i, :len(y)], mask[i, :len(x)] = \
                torch.tensor(x), torch.tensor(y), 1
        logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
        target = labels[:, 1:]
        total += float(torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), target.reshape(-1), ignore_index=-100,
            reduction="sum"))
        count += int((target != -100).sum())
    return total / count


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--adapter")
    p.add_argument("--eval", required=True)
    p.add_argument("--max-length", type=int, default=256)
    a = p.parse_args(argv)
    tokenizer = AutoTokenizer.from_pretrained(a.base)
    model = AutoModelForCausalLM.from_pretrained(a.base, dtype=torch.float32)
    if a.adapter:
        model = PeftModel.from_pretrained(model, a.adapter)
    with open(a.eval, encoding="utf-8") as f:
        examples = records_to_examples(json.load(f), tokenizer, a.max_length)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    loss = score(model, examples, pad)
    print(json.dumps({"eval_loss": loss, "records": len(examples),
                      "tokens": sum(sum(t != -100 for t in y[1:]) for _, y in examples)}))


if __name__ == "__main__":
    main()
