"""How much memory a run will need at its peak, before it starts (weights loaded: none).

peak = the framework (python + torch + transformers, measured) + weights + optimizer state
       + max(one training step: max(bf16 weight copies + saved activations + logits,
                                    gradients) (their sum under gradient accumulation),
             one evaluation batch: activations of a layer, full logits for a causal LM)

Sizes come from the model's config on PyTorch's meta device (parameter and trainable counts
after LoRA) and from the job's own data: a sample of the longest and of random rows is
tokenized the way training will, so the padded length of the worst batch (length-grouped
batching puts it first) and the tokens of a packed batch are the ones the run will see.
The per-token activation sizes are counted from what each block saves for backward, then
calibrated against measured peaks (bench/memory.py, README "Memory"). The planner that acts on
the estimate lives in memory_plan.py.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from ..config import JobConfig

GB = 1024 ** 3
MB = 1024 ** 2
# RSS of a training child once python, torch, transformers, datasets and peft are imported
# (bench/memory.py measures it: 480 MB on CPU), plus tokenizer, data and allocator slack.
FRAMEWORK_BYTES = 560 * MB
# CUDA: the context and the caching allocator's slack, instead of the import RSS.
CUDA_FRAMEWORK_BYTES = 600 * MB
# Bytes saved for backward per token, per layer, per unit of width (hidden h and MLP width i),
# counted per block from the tensors autograd keeps (fp32: 4-byte norms, residuals, dropout
# masks; bf16 autocast keeps the matmul inputs in 2 bytes but the norms in 4), calibrated on
# the measured runs. Keyed by family.
ACT_H = {"bert": 52, "gpt": 46, "t5": 60}
ACT_I = {"bert": 10, "gpt": 12, "t5": 10}
BF16_ACT = 0.7           # share of the fp32 activation bytes left under bf16 autocast
# LoRA's dropout keeps an fp32 copy of each adapted layer's input and its mask (x h bytes;
# calibrated on the instruction job's training phase).
LORA_ACT_PER_TARGET = 7
# Eval batches are twice the training batch (trainer_args.py); the stock causal-LM loss holds
# bf16 logits, their fp32 copy, the shifted copy and the log-softmax, and the allocator keeps
# what the previous batch freed: measured 28 bytes an entry (SmolLM2, 8 x 256 x 49,152).
EVAL_LOGIT_BYTES = 28
SAMPLE_ROWS = 200


@dataclass
class Lengths:
    """Token counts of the job's data, as the task tokenizes it (truncated to max_length)."""
    train_max: int
    train_mean: float
    learned_mean: float      # causal LM: tokens that carry a label (the loss projects only these)
    target_max: int          # seq2seq: decoder side
    eval_max: int
    eval_rows: int
    train_rows: int


@dataclass
class Estimate:
    total: int                          # bytes at the peak
    device: str                         # "cpu" or "cuda"
    parts: dict = field(default_factory=dict)
    parameters: int = 0
    trainable: int = 0

    def gb(self) -> float:
        return self.total / GB


# ---- the model's shape -------------------------------------------------------------------

def skeleton(location: str, cfg: JobConfig, family: str, labels: list):
    """The job's model class from its config alone, on the meta device (no weights)."""
    import torch
    from transformers import (AutoModelForCausalLM, AutoModelForSeq2SeqLM,
                              AutoModelForSequenceClassification)
    from .. import models
    config = models.load_config(location, cfg.model.trust_remote_code)
    if cfg.task == "classification":
        config.num_labels = max(2, len(labels or []))
        cls = AutoModelForSequenceClassification
    else:
        cls = AutoModelForSeq2SeqLM if family == "t5" else AutoModelForCausalLM
    with torch.device("meta"):
        return cls.from_config(config, trust_remote_code=cfg.model.trust_remote_code)


def parameter_count(location: str, cfg: JobConfig, family: str) -> int | None:
    """Parameters of the job's model, counted on its meta-device skeleton (no weights; kept
    per config); None when the model cannot be built from its config that way."""
    import logging
    from .. import models
    trust = cfg.model.trust_remote_code
    try:
        return _count(location, cfg.task == "classification", family, trust,
                      models.load_config(location, trust).to_json_string())
    except Exception as e:  # noqa: BLE001 - any model the meta device cannot build: not counted
        logging.getLogger(__name__).info("No parameter count for %s from its config: %s",
                                         location, e)
        return None


@functools.lru_cache(maxsize=32)
def _count(location: str, classification: bool, family: str, trust: bool, _config: str) -> int:
    from . import adapters
    cfg = JobConfig(task="classification" if classification else "chat")
    cfg.model.trust_remote_code = trust
    return adapters.count(skeleton(location, cfg, family, []))[0]


def shape(config) -> dict:
    g = lambda *names, default=0: next((getattr(config, n) for n in names  # noqa: E731
                                        if isinstance(getattr(config, n, None), int)), default)
    h = g("hidden_size", "d_model", "n_embd", "dim", default=768)
    return {"h": h, "i": g("intermediate_size", "d_ff", "n_inner", default=4 * h) or 4 * h,
            "layers": g("num_hidden_layers", "num_layers", "n_layer", default=12),
            "dec_layers": g("num_decoder_layers", "num_layers", default=0),
            "heads": g("num_attention_heads", "num_heads", "n_head", default=12),
            "vocab": g("vocab_size", default=32000)}


def counts(model, cfg: JobConfig, family: str) -> tuple[int, int, int, int]:
    """(parameters, trainable, frozen linear weights that LoRA stores in bf16, lora targets)."""
    from . import adapters
    total = adapters.count(model)[0]
    adapted = adapters.adapt(model, cfg, family)
    trainable = adapters.count(adapted)[1]
    frozen_linear, targets = 0, 0
    if cfg.method.method == "lora":
        import torch
        for name, m in adapted.named_modules():
            if hasattr(m, "lora_A"):
                targets += 1
            if isinstance(m, torch.nn.Linear) and not m.weight.requires_grad:
                frozen_linear += m.weight.numel()
    return total, trainable, frozen_linear, targets


# ---- the data's lengths ------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _tokenizer(location: str, task: str, family: str, trust: bool):
    from transformers import AutoTokenizer
    from ..tasks import task_module
    return task_module(task, family).prepare_tokenizer(
        AutoTokenizer.from_pretrained(location, trust_remote_code=trust))


def _sample(frame, n: int = SAMPLE_ROWS):
    """The longest rows (by characters) and a seeded random share of the rest."""
    if len(frame) <= 2 * n:
        return frame, frame
    chars = frame.astype(str).apply(lambda col: col.str.len()).sum(axis=1)
    longest = frame.loc[chars.sort_values(ascending=False).index[:n]]
    return longest, frame.sample(n, random_state=0)


def _encode(frame, tokenizer, cfg, family, labels):
    from ..tasks import task_module
    if frame is None or len(frame) == 0:
        return [], [], []
    ds, _notes = task_module(cfg.task, family).build_dataset(frame, tokenizer, cfg, labels)
    ids = ds["input_ids"]
    tgt = ds["labels"] if "labels" in ds.column_names and cfg.task != "classification" else []
    return [len(x) for x in ids], [sum(1 for v in y if v != -100) for y in tgt] if tgt else [], \
        [len(y) for y in tgt] if tgt else []


def lengths(cfg: JobConfig, family: str, location: str, job_data) -> Lengths:
    """The data's token counts; every text at max_length (an upper bound) when the tokenizer
    cannot be loaded here (training will then say why)."""
    try:
        return _lengths(cfg, family, location, job_data)
    except (OSError, ValueError, KeyError, ImportError):
        n = cfg.train.max_length or 512
        return Lengths(n, float(n), n / 2, n, n, len(job_data.validation), len(job_data.train))


def _lengths(cfg: JobConfig, family: str, location: str, job_data) -> Lengths:
    tok = _tokenizer(location, cfg.task, family, cfg.model.trust_remote_code)
    labels = list(job_data.labels)
    longest, rand = _sample(job_data.train)
    top, _, top_t = _encode(longest, tok, cfg, family, labels)
    some, learned, _ = _encode(rand, tok, cfg, family, labels)
    ev_top, _, ev_t = _encode(_sample(job_data.validation)[0], tok, cfg, family, labels)
    mean = sum(some) / max(1, len(some))
    return Lengths(max(top, default=8), mean, sum(learned) / max(1, len(learned)) if learned
                   else mean, max(top_t + ev_t, default=0), max(ev_top, default=0),
                   len(job_data.validation), len(job_data.train))


# ---- the estimate ------------------------------------------------------------------------

def device() -> str:
    import torch
    return "cuda" if torch.cuda.is_available() else "cpu"


def _round8(n: float) -> int:
    return int(math.ceil(max(n, 1) / 8) * 8)


def estimate(cfg: JobConfig, family: str, location: str, job_data, model=None,
             lens: Lengths | None = None) -> Estimate:
    """Peak bytes of the run `cfg` (resolved) describes, on the device it will use."""
    from .. import models
    from .numerics import precision
    model = model if model is not None else skeleton(location, cfg, family, job_data.labels)
    s = shape(models.load_config(location, cfg.model.trust_remote_code))
    total, trainable, frozen_bf16, targets = counts(model, cfg, family)
    lens = lens or lengths(cfg, family, location, job_data)
    return compute(cfg, family, s, total, trainable, frozen_bf16, targets, lens, device(),
                   precision(cfg), packing_able(cfg, family, model))


def packing_able(cfg: JobConfig, family: str, model) -> bool:
    if cfg.train.packing is not None:
        return bool(cfg.train.packing)
    from ..tasks import packing
    check = getattr(packing, "supports_job", None)
    return bool(check(cfg.task, model)) if check else (
        cfg.task == "classification" and packing.supports(model))


def compute(cfg, family, s, total, trainable, frozen_bf16, targets, lens, dev, prec,
            packed) -> Estimate:
    """The arithmetic, separate from reading models and data (tests call it directly)."""
    t, lora = cfg.train, cfg.method.method == "lora"
    bf16 = prec in ("bf16", "fp16")
    weights = total * 4
    if lora and cfg.method.bf16_base and bf16:
        weights -= frozen_bf16 * 2  # loaded in fp32, then stored in bf16 (briefly both)
        weights = max(weights, total * 2)
    opt_bytes = {"adamw_torch_fused": 8, "adamw_torch": 8, "adafactor": 2, "sgd": 0}
    optimizer = trainable * opt_bytes.get(t.optimizer, 8)
    gradients = trainable * 4
    # Autocast keeps a bf16 copy of every weight that requires grad for the step.
    casts = trainable * 2 if bf16 else 0
    b = t.batch_size
    width = s["h"]
    per_layer = (ACT_H[family] * width + ACT_I[family] * s["i"]) * (BF16_ACT if bf16 else 1.0)
    if lora:  # fp32 whatever the precision: the adapters' dropout runs outside the matmuls
        per_layer += LORA_ACT_PER_TARGET * width * targets / max(1, s["layers"])
    layers = s["layers"] + (s["dec_layers"] if family == "t5" else 0)
    if packed:  # texts end to end in rows: the batch's real tokens, a little padding per row
        seq = _round8(max(row_tokens(family), min(lens.train_max, t.max_length or 10**9)))
        tokens = b * lens.train_mean * 1.15 + seq / 2
    else:
        seq = _round8(min(lens.train_max, t.max_length or lens.train_max))
        tokens = b * seq
    activations = tokens * per_layer * layers
    # Attention probabilities where the implementation keeps them (eager T5; masked sdpa on
    # packed rows computes the whole square per head).
    attn = 0.0
    if family == "t5" or packed:
        rows = max(1.0, tokens / max(seq, 1))
        attn = rows * s["heads"] * seq * seq * 9 * layers
    activations += attn
    logits = _train_logits(cfg, family, s, b, seq, lens)
    # Backward frees each layer's saved tensors as it writes that layer's gradients, and the
    # optimizer step holds every gradient at once (measured: SmolLM2 full, step 1 peaks at
    # weights + gradients + AdamW state), so a step needs the larger of the two. With
    # accumulation the gradients of earlier micro-batches stay while the next one runs: both
    # (measured: SmolLM2 full at batch 4 x 4, 3.37 GB = this sum to 0.1%).
    saved = casts + activations + logits
    step = saved + gradients if t.grad_accum > 1 else max(saved, gradients)
    ev_b = min(2 * b, lens.eval_rows)  # a run with validation rows evaluates at its end
    ev_seq = _round8(lens.eval_max or seq)
    ev = 0
    if ev_b:
        ev = ev_b * ev_seq * width * 4 * 16  # one layer's working set, nothing kept
        if cfg.task != "classification":
            ev += ev_b * ev_seq * s["vocab"] * EVAL_LOGIT_BYTES
    base = CUDA_FRAMEWORK_BYTES if dev == "cuda" else FRAMEWORK_BYTES
    peak = base + weights + optimizer + max(step, ev)
    parts = {"framework": base, "weights": weights, "optimizer": optimizer,
             "gradients": gradients, "bf16_copies": casts, "activations": int(activations),
             "logits": int(logits), "evaluation": int(ev)}
    return Estimate(int(peak), dev, parts, total, trainable)


def row_tokens(family: str) -> int:
    """How wide the packing collator lays its rows for this family."""
    from ..tasks import packing
    if family == "bert":
        return packing.ROW_TOKENS
    try:
        from ..tasks import lm_packing
        return lm_packing.ROW_TOKENS
    except ImportError:
        return packing.ROW_TOKENS


def _train_logits(cfg, family, s, b, seq, lens) -> float:
    vocab = s["vocab"]
    if cfg.task == "classification":
        return 0.0
    if family == "t5":  # the decoder's logits over the target, fp32 + grad + log-softmax
        return b * _round8(lens.target_max or seq) * vocab * 12
    learned = b * max(1.0, lens.learned_mean) * 1.15
    try:
        from ..tasks import lm_loss  # chunked loss: one chunk of logits alive at a time
        return float(lm_loss.logits_bytes(vocab, int(learned)))
    except ImportError:
        return learned * vocab * 14
