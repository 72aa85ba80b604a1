"""Step-level measurements the whole-job levers are too coarse (or too slow) for.

    python bench/lm_micro.py loss    [--batch 4 --length 256 --rounds 2]
    python bench/lm_micro.py compile [--steps 40 --rounds 1]

`loss`: one SmolLM2-135M full fine-tuning step (forward + backward, bf16 autocast, every token
learned: the worst case for the vocabulary projection) with the stock loss (full logits), the
previous studio loss (logits of learned positions only) and the chunked loss of
studio/tasks/lm_loss.py; median step seconds and the child's peak RSS.
`compile`: `--steps` training steps (forward, backward, AdamW) of MiniLM classification and
SmolLM2 LoRA instruction with and without torch.compile, compile time included, on real
batch shapes of the benchmark's jobs.

Each variant runs in a fresh child process, alternately, with run.py's noise bookkeeping
(others_cores = CPU used by other processes meanwhile); results go to --out as JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402

LOSS_CHILD = r"""
import json, resource, sys, time, statistics
sys.path.insert(0, sys.argv[1])
import torch
from transformers import AutoModelForCausalLM
from studio.models import resolve_location
from studio.tasks import lm_loss
variant, batch, length, steps = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
torch.manual_seed(0)
model = AutoModelForCausalLM.from_pretrained(resolve_location("smollm2-135m")[0]).train()
ids = torch.randint(0, model.config.vocab_size, (batch, length))
inputs = {"input_ids": ids, "labels": ids.clone()}
def step():
    model.zero_grad(set_to_none=True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        if variant == "stock":
            loss = model(**inputs, use_cache=False).loss
        elif variant == "learned-logits":   # the previous studio path
            keep = torch.zeros_like(ids, dtype=torch.bool); keep[:, :-1] = True
            logits = model(input_ids=ids, logits_to_keep=keep, use_cache=False).logits
            logits = logits.reshape(-1, logits.shape[-1]).float()
            loss = torch.nn.functional.cross_entropy(logits, ids[:, 1:].reshape(-1))
        else:
            total, n = lm_loss.causal_lm_loss_sum(model, inputs)
            loss = total / n
    loss.backward()
    return float(loss)
times, losses = [], []
for i in range(steps + 1):
    t = time.perf_counter(); losses.append(step()); times.append(time.perf_counter() - t)
print(json.dumps({"step_seconds": round(statistics.median(times[1:]), 3),
                  "first_step_seconds": round(times[0], 3), "loss": losses[0],
                  "child_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

COMPILE_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import torch
job, compiled, steps = sys.argv[2], sys.argv[3] == "on", int(sys.argv[4])
from studio.models import resolve_location
torch.manual_seed(0)
if job == "classification":
    from transformers import AutoModelForSequenceClassification
    model = AutoModelForSequenceClassification.from_pretrained(
        resolve_location("minilm-l6")[0], num_labels=2)
    batch, vocab = 16, model.config.vocab_size
    lengths = [16 + 16 * (i % 3) for i in range(steps)]      # packed widths: a few shapes
    make = lambda n: {"input_ids": torch.randint(1000, vocab, (batch // 4, n)),
                      "labels": torch.randint(0, 2, (batch // 4,))}
else:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM
    model = AutoModelForCausalLM.from_pretrained(resolve_location("smollm2-135m")[0])
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.05,
                                             target_modules="all-linear", task_type="CAUSAL_LM"))
    vocab = model.config.vocab_size
    lengths = [128 + 16 * (i % 8) for i in range(steps)]     # length-grouped batches
    make = lambda n: {"input_ids": (x := torch.randint(0, vocab, (4, n))), "labels": x.clone()}
model.train()
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5, fused=True)
fwd = torch.compile(model, dynamic=None) if compiled else model
t0 = time.perf_counter(); first = None
for n in lengths:
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = fwd(**make(n)).loss
    loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    if first is None: first = time.perf_counter() - t0
total = time.perf_counter() - t0
print(json.dumps({"total_seconds": round(total, 2), "first_step_seconds": round(first, 2),
                  "steps": steps, "per_step_after_first": round((total - first) / (steps - 1), 3)}))
"""


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["loss", "compile"])
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--length", type=int, default=256)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--jobs", default="classification,instruction")
    p.add_argument("--variants", default="stock,learned-logits,chunked")
    p.add_argument("--quiet-wait", type=float, default=0)
    p.add_argument("--timeout", type=float, default=1200)
    p.add_argument("--out", default="")
    return p.parse_args(argv)


def child(code: str, args: list[str], work: Path, tag: str, a) -> dict:
    waited = bench.wait_for_quiet(a.quiet_wait) if a.quiet_wait > 0 else 0.0
    res = bench.run_snippet(code, [str(bench.ROOT), *args], work, tag, a.timeout)
    res["waited_for_quiet"] = waited
    print(f"  [{tag}] " + json.dumps({k: res.get(k) for k in (
        "exit_code", "step_seconds", "total_seconds", "first_step_seconds", "loss",
        "child_peak_rss_mb", "peak_rss_mb", "others_cores")}), flush=True)
    return res


def main(argv=None) -> int:
    a = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="lm-micro-"))
    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
              "command": " ".join(["bench/lm_micro.py"] + (argv or sys.argv[1:])),
              "machine": bench.machine_info(), "runs": []}
    out = Path(a.out or bench.BENCH / "results" / f"levers-{a.what}.json")
    if a.what == "loss":
        variants = a.variants.split(",")
        for rnd in range(a.rounds):
            for v in variants:
                r = child(LOSS_CHILD, [v, str(a.batch), str(a.length), str(a.steps)], work,
                          f"{v}-r{rnd}", a)
                report["runs"].append({"variant": v, "round": rnd, **r})
                out.write_text(json.dumps(report, indent=1, default=str))  # after every child
    else:
        for rnd in range(a.rounds):
            for job in a.jobs.split(","):
                for on in ("off", "on"):
                    r = child(COMPILE_CHILD, [job, on, str(a.steps)], work,
                              f"{job}-compile-{on}-r{rnd}", a)
                    report["runs"].append({"job": job, "compile": on, "round": rnd, **r})
                    out.write_text(json.dumps(report, indent=1, default=str))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
