"""Run by `studio.export.verify` as a separate process with a plain Python path: loads a merged
(or unzipped) export with transformers alone, exactly as the card's snippet does, and answers
the prompts it is given. It imports nothing of the studio, so what it proves is that the
exported folder stands on its own.

stdin: {"folder", "task", "family", "conversations" | "texts", "max_new_tokens"}
stdout: one JSON line: {"labels", "probabilities"} or {"prompts", "prompt_ids", "new_ids"}
"""
import json
import sys


def main() -> None:
    job = json.loads(sys.stdin.read())
    import torch
    from transformers import (AutoModelForCausalLM, AutoModelForSeq2SeqLM,
                              AutoModelForSequenceClassification, AutoTokenizer)
    folder = job["folder"]
    tok = AutoTokenizer.from_pretrained(folder)
    out: dict = {}
    with torch.no_grad():
        if job["task"] == "classification":
            model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
            enc = tok(job["texts"], job.get("pairs"), padding=True, truncation=True,
                      max_length=job.get("max_length", 512), return_tensors="pt")
            probs = torch.softmax(model(**enc).logits.float(), -1)
            out["probabilities"] = probs.tolist()
            out["labels"] = [model.config.id2label[int(i)] for i in probs.argmax(-1)]
        elif job["family"] == "t5":
            model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
            out["prompts"], out["prompt_ids"], out["new_ids"] = [], [], []
            for source in job["sources"]:
                enc = tok(source, return_tensors="pt")
                gen = model.generate(**enc, max_new_tokens=job["max_new_tokens"],
                                     do_sample=False, num_beams=1)
                out["prompts"].append(source)
                out["prompt_ids"].append(enc["input_ids"][0].tolist())
                out["new_ids"].append(gen[0].tolist()[1:])  # the decoder's start token
        else:
            model = AutoModelForCausalLM.from_pretrained(folder).eval()
            out["prompts"], out["prompt_ids"], out["new_ids"] = [], [], []
            for messages in job["conversations"]:
                if tok.chat_template:
                    text = tok.apply_chat_template(messages, tokenize=False,
                                                   add_generation_prompt=True)
                else:  # no template in the folder: the studio's plain layout, given by it
                    text = job["plain_prompts"][len(out["prompts"])]
                enc = tok(text, return_tensors="pt", add_special_tokens=not tok.chat_template)
                gen = model.generate(**enc, max_new_tokens=job["max_new_tokens"],
                                     do_sample=False, num_beams=1,
                                     pad_token_id=tok.pad_token_id)
                n = enc["input_ids"].shape[1]
                out["prompts"].append(text)
                out["prompt_ids"].append(enc["input_ids"][0].tolist())
                out["new_ids"].append(gen[0, n:].tolist())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
