"""Other out-of-fold scores for "Check labels", on cached embeddings (seconds per try).

    python bench/labels_tries.py [--seed 0] [--rows 5000] [--cache DIR] [--cuts | --layers | --aum]

The same noisy files as bench/labels_noise.py (SST-2 `--rows` sampled, the shipped sample; 5%
flipped with the seed) are embedded once with studio.labels.embed and cached in --cache; then
each score's top-5% precision (flipped rows among the top 5% of cleanlab's self-confidence
ranking of its probabilities) is printed for:

  lr          the kept model: studio.labels.crossfit.out_of_fold (LR C=1, 5 folds)
  lr-repN     that LR's out-of-fold probabilities averaged over N repeated 5-fold splits
              (seeds 0..N-1): less dependence on which rows share a fold
  knnK        kNN consensus on the unit embeddings: each row's class shares among its K
              nearest other rows (cosine), smoothed by half a vote per class
  knnK+lr     the mean of the two
--layers scores the encoder's other layers instead (mean-pooled hidden states of layers 3, 4, 5,
layers 4-6 and 1-6 concatenated, the mean of 1-6, 1-6 with the first token's state; each with
the LR at C=1 and 0.3). --aum fine-tunes MiniLM on the noisy file itself (2 epochs, lr 5e-5,
batch 32, 64 tokens) and ranks the rows by their average training margin (the given label's
logit minus the largest other one; AUM, Pleiss et al. 2020), printing precision and time after
each epoch.
--cuts prints instead, for the kept model, the flips among the rows at least each confidence
and what the default cut (studio.labels.finder.LabelReport.threshold: the top 5% of the rows)
takes. Results are in README "### Suspicious labels" and bench/results/labels_noise/tries.md.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labels_noise import ROOT, flip, sst2  # noqa: E402  (also puts the repo on sys.path)


def cached(name: str, frame: pd.DataFrame, seed: int, cache: Path):
    """The noisy file's embeddings, class indices and flipped (0-based) rows."""
    file = cache / f"{name}-{len(frame)}-{seed}.npz"
    if not file.exists():
        from studio.labels import embed
        noisy, flipped = flip(frame.reset_index(drop=True), 0.05, seed)
        labels = sorted(noisy["label"].astype(str).unique())
        y = noisy["label"].astype(str).map({x: i for i, x in enumerate(labels)}).to_numpy()
        np.savez(file, X=embed.embed(noisy["text"].astype(str).tolist()), y=y,
                 flipped=np.array(sorted(flipped)) - 1)
    d = np.load(file)
    return d["X"], d["y"], set(d["flipped"].tolist())


def top_precision(y, probs, flipped: set, k: int) -> float:
    from studio.labels import rank
    issues = [i for i in rank.label_issues(y, probs) if probs[i].argmax() != y[i]][:k]
    return len(set(issues) & flipped) / max(1, len(issues))


def knn_probs(X, y, n_classes: int, k: int) -> np.ndarray:
    sims = X @ X.T
    np.fill_diagonal(sims, -np.inf)  # a row is not its own neighbour
    nearest = np.argpartition(-sims, k, axis=1)[:, :k]
    share = np.stack([(y[nearest] == c).mean(1) for c in range(n_classes)], 1)
    return (share * k + 0.5) / (k + 0.5 * n_classes)


def layer_features(texts: list[str]) -> np.ndarray:
    """(rows, 7, 2, 384): each layer's mean-pooled and first-token state (embeddings = 0)."""
    import torch
    from studio.labels import embed
    tok, model = embed._encoder(str(embed.encoder_dir()))
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), 7, 2, model.config.hidden_size), dtype=np.float32)
    torch.set_num_threads(embed.THREADS)
    with torch.inference_mode():
        for start in range(0, len(texts), embed.BATCH):
            idx = order[start:start + embed.BATCH]
            enc = tok([texts[i] for i in idx], padding=True, truncation=True,
                      max_length=embed.MAX_LENGTH, return_tensors="pt")
            mask = enc["attention_mask"].unsqueeze(-1).float()
            for layer, h in enumerate(model(**enc, output_hidden_states=True).hidden_states):
                out[idx, layer, 0] = ((h * mask).sum(1) / mask.sum(1)).numpy()
                out[idx, layer, 1] = h[:, 0].numpy()
    return out


def layers(name: str, texts: list[str], y, flipped: set, k: int) -> None:
    import studio.labels.crossfit as crossfit

    def unit(a):
        return a / np.linalg.norm(a, axis=-1, keepdims=True)
    F = layer_features(texts)
    mixes = {f"layer{n}": unit(F[:, n, 0]) for n in (3, 4, 5, 6)}
    mixes["cat4-6"] = np.concatenate([unit(F[:, n, 0]) for n in (4, 5, 6)], 1)
    mixes["cat1-6"] = np.concatenate([unit(F[:, n, 0]) for n in range(1, 7)], 1)
    mixes["mean1-6"] = unit(F[:, 1:, 0].mean(1))
    mixes["cat1-6+first"] = np.concatenate([unit(F[:, n, j]) for n in range(1, 7)
                                            for j in (0, 1)], 1)
    kept = crossfit.C
    try:
        for label, X in mixes.items():
            for c in (1.0, 0.3):
                crossfit.C = c
                p = crossfit.out_of_fold(X, y, int(y.max()) + 1)
                print(f"{name:18s} {label:13s} C={c}: out-of-fold accuracy "
                      f"{(p.argmax(1) == y).mean():.3f}, top-5% precision "
                      f"{top_precision(y, p, flipped, k):.3f}", flush=True)
    finally:
        crossfit.C = kept


def aum(name: str, texts: list[str], y, flipped: set, k: int, epochs: int = 2) -> None:
    """Fine-tune MiniLM on every noisy row and rank rows by their average training margin."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from studio.labels import embed
    torch.manual_seed(0)
    folder = str(embed.encoder_dir())
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSequenceClassification.from_pretrained(folder,
                                                               num_labels=int(y.max()) + 1)
    ids = [tok(t, truncation=True, max_length=64)["input_ids"] for t in texts]
    batch, rng = 32, np.random.default_rng(0)
    steps = epochs * math.ceil(len(y) / batch)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-5)
    sched = torch.optim.lr_scheduler.LambdaLR(      # 10% warm-up, then linear decay
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps))
    margins = np.zeros((epochs, len(y)))
    started = time.perf_counter()
    model.train()
    for epoch in range(epochs):
        shuffled = rng.permutation(len(y))
        for start in range(0, len(y), batch):
            idx = shuffled[start:start + batch]
            logits = model(**tok.pad({"input_ids": [ids[i] for i in idx]},
                                     return_tensors="pt")).logits
            given = torch.tensor(y[idx])
            torch.nn.functional.cross_entropy(logits, given).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            with torch.no_grad():
                other = logits.scatter(1, given[:, None], -1e9).max(1).values
                margins[epoch, idx] = (logits.gather(1, given[:, None])[:, 0] - other).numpy()
        top = np.argsort(margins[:epoch + 1].mean(0))[:k]
        print(f"{name:18s} AUM after epoch {epoch + 1}: top-5% precision "
              f"{len(set(top.tolist()) & flipped) / k:.3f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)


def cuts(name: str, y, probs, flipped: set) -> None:
    """Flips among the flagged rows at least each confidence, and the default cut's share."""
    from studio.labels import rank
    from studio.labels.finder import LabelReport, Suspect
    issues = [i for i in rank.label_issues(y, probs) if probs[i].argmax() != y[i]]
    report = LabelReport(path=name, source="embeddings", method="", rows=len(y), labels=[],
                         suspects=[Suspect(row=i, text="", given="", suggested="",
                                           confidence=float(probs[i].max()),
                                           given_probability=float(probs[i][y[i]]))
                                   for i in issues])
    for cut in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, report.threshold):
        took = {s.row for s in report.above(cut)}
        hit = len(took & flipped)
        print(f"{name:18s} {'default ' if cut == report.threshold else ''}cut {cut:.2f}: "
              f"{len(took)} rows, flips among them {hit / max(1, len(took)):.2f}, "
              f"recall {hit / len(flipped):.2f}", flush=True)


def main() -> int:
    from studio.labels.crossfit import out_of_fold
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--cache", default="/tmp/labels_tries")
    ap.add_argument("--cuts", action="store_true", help="confidence cuts of the kept model")
    ap.add_argument("--layers", action="store_true", help="the encoder's other layers")
    ap.add_argument("--aum", action="store_true", help="fine-tune MiniLM, rank by margin")
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    sample = pd.read_csv(ROOT / "assets" / "samples" / "reviews_sentiment.csv")
    for name, frame in (("sst2", sst2(args.rows, args.seed)), ("reviews_sentiment", sample)):
        X, y, flipped = cached(name, frame, args.seed, cache)
        n, k = int(y.max()) + 1, math.ceil(0.05 * len(y))
        if args.layers or args.aum:
            texts = flip(frame.reset_index(drop=True), 0.05, args.seed)[0]["text"]
            (layers if args.layers else aum)(name, texts.astype(str).tolist(), y, flipped, k)
            continue
        started = time.perf_counter()
        lr = out_of_fold(X, y, n, seed=args.seed)
        if args.cuts:
            cuts(name, y, lr, flipped)
            continue
        tries = {"lr": (lr, time.perf_counter() - started)}
        for reps in (3, 5, 10):
            started = time.perf_counter()
            p = np.mean([out_of_fold(X, y, n, seed=args.seed + s) for s in range(reps)], 0)
            tries[f"lr-rep{reps}"] = (p, time.perf_counter() - started)
        for kk in (5, 10, 20, 50):
            started = time.perf_counter()
            p = knn_probs(X, y, n, min(kk, len(y) - 1))
            tries[f"knn{kk}"] = (p, time.perf_counter() - started)
            tries[f"knn{kk}+lr"] = ((p + lr) / 2, tries[f"knn{kk}"][1] + tries["lr"][1])
        for label, (probs, seconds) in tries.items():
            precision = top_precision(y, probs, flipped, k)
            print(f"{name:18s} {label:10s} top-5% precision {precision:.3f}  ({seconds:.1f} s)",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
