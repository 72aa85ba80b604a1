"""Lever ablation: the studio on the benchmark's jobs with one speed lever turned off at a time.

    python bench/levers.py [--jobs classification,instruction,seq2seq] [--rounds 2]
                           [--instruction-rows 60] [--out bench/results/levers.json]

run.py answers "how much faster than the peers"; this answers "which of the studio's defaults
earn that", so a lever that stops paying can be found and removed. Each variant is the same
`python -m studio train ...` command run.py gives the studio plus one override, run alternately
(default, variant 1, variant 2, default, ...) in fresh processes with the same quiet-machine
and noise bookkeeping as run.py. The instruction job is cut to its first `--instruction-rows`
records (LoRA steps cost seconds each on a CPU); the per-step speed is what a lever changes.

Levers that act inside a step and are too coarse to see in a whole job, or too slow to run as
one (the chunked loss's memory, torch.compile's compile time), are measured step by step in
bench/lm_micro.py.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the benchmark's own harness: data, commands, child runner)

# job -> [(variant name, overrides)]; the first entry is the studio's defaults.
# The "micro-batch" variants are what the memory planner (studio/jobs/memory_plan.py) runs when
# the job's batch does not fit the machine: the same effective batch in smaller pieces, so the
# row says what its choice costs in speed.
VARIANTS = {
    "classification": [("defaults", []), ("no packing", ["train.packing=false"]),
                       ("torch dropout", ["train.fast_dropout=false"]),
                       ("fp32", ["train.precision=fp32"]),
                       ("trained embeddings", ["train.freeze_embeddings=false"]),
                       ("micro-batch 8 x 2", ["train.batch_size=8", "train.grad_accum=2"])],
    "instruction": [("defaults", []), ("no packing", ["train.packing=false"]),
                    ("full logits", []), ("torch dropout", ["train.fast_dropout=false"]),
                    ("fp32 frozen base", ["method.bf16_base=false"]),
                    ("micro-batch 2 x 2", ["train.batch_size=2", "train.grad_accum=2"])],
    "seq2seq": [("defaults", []), ("bf16", ["train.precision=bf16"]),
                ("random batches", ["train.group_by_length=false"])],
}

# Levers that are not job settings: switched by the environment of the child.
VARIANT_ENV = {"full logits": {"STUDIO_CHUNKED_LOSS": "0"}}  # studio/tasks/lm_loss.py


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", default=",".join(VARIANTS))
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--instruction-rows", type=int, default=60)
    p.add_argument("--only", default="",
                   help="Comma-separated variant names to run beside the defaults, e.g. "
                        "'fp32 frozen base'.")
    p.add_argument("--work", default=None)
    p.add_argument("--out", default=str(bench.BENCH / "results" / "levers.json"))
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--quiet-wait", type=float, default=60)
    return p.parse_args(argv)


def run_variant(name: str, job: dict, files: dict, work: Path, label: str, extra: list[str],
                rnd: int, a) -> dict:
    tag = f"{name}-{label.replace(' ', '_')}-r{rnd}"
    cwd = work / tag
    cwd.mkdir(parents=True, exist_ok=True)
    waited = bench.wait_for_quiet(a.quiet_wait) if a.quiet_wait > 0 else 0.0
    argv = bench.studio_command(name, job, files, cwd / "workspace", quick=False) + extra
    res = bench.run_child(argv, bench.ROOT, cwd / "output.log", a.timeout,
                          env_extra=VARIANT_ENV.get(label))
    res.update(bench.studio_result(cwd / "workspace", res["t0"], job))
    res.update(variant=label, round=rnd, waited_for_quiet=waited, command=" ".join(argv))
    print(f"  [{tag}] exit {res['exit_code']}, {res.get('train_samples_per_second')} samples/s, "
          f"quality {bench.fmt(res.get('quality'))}, others {res['others_cores']} cores",
          flush=True)
    return res


def summarize(runs: list[dict], variants) -> list[dict]:
    out = []
    for label, extra in variants:
        mine = [r for r in runs if r["variant"] == label and r["exit_code"] == 0
                and r.get("train_samples_per_second")]
        sps = [r["train_samples_per_second"] for r in mine]
        q = [r["quality"] for r in mine if r.get("quality") is not None]
        out.append({"variant": label, "overrides": extra, "ok_rounds": len(mine),
                    "samples_per_second": bench.median(sps) if sps else None,
                    "samples_per_second_all": sps,
                    "quality": bench.median(q) if q else None})
    base = out[0]["samples_per_second"]
    for s in out:
        s["defaults_speedup"] = round(base / s["samples_per_second"], 2) \
            if base and s["samples_per_second"] else None
    return out


def main(argv=None) -> int:
    a = parse_args(argv)
    work = Path(a.work or tempfile.mkdtemp(prefix="levers-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"scratch folder: {work}", flush=True)
    files = bench.prepare_data(work, quick=False)
    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
              "command": " ".join([Path(sys.argv[0]).as_posix()] + sys.argv[1:]),
              "machine": bench.machine_info(), "jobs": {}}
    for name in [j for j in a.jobs.split(",") if j]:
        job = dict(bench.JOBS[name])
        variants = VARIANTS[name]
        if a.only:
            keep = {v.strip() for v in a.only.split(",")}
            variants = [variants[0]] + [v for v in variants[1:] if v[0] in keep]
        if name == "instruction":
            variants = [(label, extra + [f"data.max_rows={a.instruction_rows}"])
                        for label, extra in variants]
        print(f"\n== {name}: {a.rounds} round(s), {len(variants)} variants", flush=True)
        runs = [run_variant(name, job, files, work, label, extra, rnd, a)
                for rnd in range(a.rounds) for label, extra in variants]
        summary = summarize(runs, variants)
        report["jobs"][name] = {"summary": summary, "runs": runs}
        print(f"{'variant':<18}{'samples/s':>11}{'rounds':>22}{job['quality']:>14}"
              f"{'defaults x':>12}")
        for s in summary:
            rounds = " / ".join(bench.fmt(x, 2) for x in s["samples_per_second_all"])
            print(f"{s['variant']:<18}{bench.fmt(s['samples_per_second'], 2):>11}{rounds:>22}"
                  f"{bench.fmt(s['quality'], 4):>14}{bench.fmt(s['defaults_speedup'], 2):>12}")
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(report, indent=1, default=str))
    print(f"\nresults: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
