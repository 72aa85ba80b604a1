"""Settings to start from, before training, for a model and data: each value comes from a
written-down rule with its source, so the page can say why (never a per-preset table).

suggest(...) -> [{"path": "train.learning_rate", "value": 3e-05, "code": "lr_encoder",
                  "params": {...}, "reason": "Full fine-tuning of an encoder: ..."}, ...]
suggest_settings(...) -> {"train.learning_rate": (3e-05, "why"), ...} (the same, keyed)
`studio.jobs.preview` puts `suggest(...)` in the Preview (`suggested`), the Train step shows it
with "Use suggested settings"; components/strings_zh.py ZH_SUGGEST says each reason in Chinese
from the same code and params.
"""
from __future__ import annotations

from .finding import show

# Learning rates ---------------------------------------------------------------------------
# Devlin et al. 2019 (BERT), section A.3: fine-tune with Adam at 5e-5, 4e-5, 3e-5 or 2e-5.
BERT_LR = 3e-5
BERT_SMALL_LR = 5e-5     # the top of that range for encoders under SMALL_MODEL parameters
SMALL_MODEL = 100e6      # BERT-base (110M) is the model those values were chosen for
# Taori et al. 2023 (Stanford Alpaca): full fine-tuning of a decoder (LLaMA-7B) at 2e-5.
GPT_FULL_LR = 2e-5
# Raffel et al. 2020 (T5) fine-tune at 1e-3 with Adafactor; with AdamW the transformers T5
# documentation recommends 1e-4 to 3e-4.
T5_FULL_LR = 3e-4
# Hu et al. 2021 (LoRA) train adapters at 2e-4 (GPT-2) and Dettmers et al. 2023 (QLoRA) use
# 2e-4 up to 13B parameters and 1e-4 above.
LORA_LR, LORA_LARGE_LR, LORA_LARGE = 2e-4, 1e-4, 20e9
# Brown et al. 2020 (GPT-3) table 2.1: the smaller the model, the larger the learning rate
# (6e-4 at 125M); a model under RANDOM_SMALL parameters is a random-weight toy: 1e-3.
RANDOM_SMALL, RANDOM_SMALL_LR = 10e6, 1e-3

# Epochs -----------------------------------------------------------------------------------
# Devlin et al. 2019: 2 to 4 epochs (3 here). Alpaca: 3 epochs for instruction tuning.
EPOCHS = 3
# Mosbach et al. 2021 ("On the stability of fine-tuning BERT") and Zhang et al. 2021
# ("Revisiting few-sample BERT fine-tuning"): under ~1,000 rows, 3 epochs are too few steps;
# train longer (Mosbach et al. use 20 epochs on RTE/MRPC; 10 is the safer middle).
FEW_ROWS, FEW_ROWS_EPOCHS = 1000, 10
# Komatsuzaki 2019 ("One epoch is all you need"): with plenty of data one pass suffices.
MANY_ROWS, MANY_ROWS_EPOCHS = 100_000, 1

# Batch size -------------------------------------------------------------------------------
# Devlin et al. 2019: batch 16 or 32; 32 once the data is large enough to give many steps.
BATCH, LARGE_DATA_BATCH, LARGE_DATA = 16, 32, 10_000
# Below TINY_DATA rows a batch of 16 leaves few steps per epoch: 8 doubles them.
TINY_DATA, TINY_DATA_BATCH = 200, 8

# Each rule's one-line reason, filled from its params (value: the suggested value).
REASONS = {
    "lr_small_model": "A small model (under {limit}M parameters) takes a larger learning "
                      "rate: {value} (Brown et al. 2020, GPT-3, table 2.1: smaller models, "
                      "larger rates).",
    "lr_lora_large": "LoRA on a model over {limit}B parameters: {value} (Dettmers et al. 2023, "
                     "QLoRA).",
    "lr_lora": "LoRA adapters: {value} (Hu et al. 2021, LoRA; Dettmers et al. 2023, QLoRA).",
    "lr_t5": "Full fine-tuning of a T5 model with AdamW: {value} (Raffel et al. 2020; the "
             "transformers T5 guide: 1e-4 to 3e-4).",
    "lr_gpt": "Full fine-tuning of a decoder: {value} (Taori et al. 2023, Stanford Alpaca).",
    "lr_encoder": "Full fine-tuning of an encoder: {value}, within 2e-5 to 5e-5 (Devlin et al. "
                  "2019, BERT; the top of the range for models under {limit}M parameters).",
    "epochs_few_rows": "{rows} rows is few: {value} epochs give the steps 3 epochs lack "
                       "(Mosbach et al. 2021; Zhang et al. 2021).",
    "epochs_many_rows": "{rows} rows: one pass is enough (Komatsuzaki 2019, \"One epoch is "
                        "all you need\").",
    "epochs_classification": "{value} epochs (Devlin et al. 2019: 2 to 4).",
    "epochs_generation": "{value} epochs (Taori et al. 2023, Alpaca: 3).",
    "batch_tiny": "{rows} rows: a batch of {value} gives twice the steps per epoch of "
                  "{usual}.",
    "batch_large": "{rows} rows: batch {value} (Devlin et al. 2019: 16 or 32).",
    "batch_default": "Batch {value} (Devlin et al. 2019: 16 or 32).",
}


def rule(path: str, value, code: str, **params) -> dict:
    """One suggested value with its rule's code, numbers and English reason."""
    params = {"value": value, **params}
    return {"path": path, "value": value, "code": code, "params": params,
            "reason": REASONS[code].format(**{k: show(v) for k, v in params.items()})}


def suggest(task: str, family: str, method: str, rows: int, parameters: int) -> list[dict]:
    """The learning rate, epochs and batch size to start from, each with its rule."""
    return [learning_rate_rule(family, method, parameters), epochs_rule(task, rows),
            batch_size_rule(rows)]


def suggest_settings(task: str, family: str, method: str, rows: int,
                     parameters: int) -> dict[str, tuple]:
    return {s["path"]: (s["value"], s["reason"])
            for s in suggest(task, family, method, rows, parameters)}


def learning_rate_rule(family: str, method: str, parameters: int) -> dict:
    path = "train.learning_rate"
    if parameters and parameters < RANDOM_SMALL:
        return rule(path, RANDOM_SMALL_LR, "lr_small_model", limit=int(RANDOM_SMALL / 1e6))
    if method == "lora":
        if parameters >= LORA_LARGE:
            return rule(path, LORA_LARGE_LR, "lr_lora_large", limit=int(LORA_LARGE / 1e9))
        return rule(path, LORA_LR, "lr_lora")
    if family == "t5":
        return rule(path, T5_FULL_LR, "lr_t5")
    if family == "gpt":
        return rule(path, GPT_FULL_LR, "lr_gpt")
    lr = BERT_SMALL_LR if parameters and parameters < SMALL_MODEL else BERT_LR
    return rule(path, lr, "lr_encoder", limit=int(SMALL_MODEL / 1e6))


def epochs_rule(task: str, rows: int) -> dict:
    if rows and rows < FEW_ROWS:
        return rule("train.epochs", FEW_ROWS_EPOCHS, "epochs_few_rows", rows=rows)
    if rows >= MANY_ROWS:
        return rule("train.epochs", MANY_ROWS_EPOCHS, "epochs_many_rows", rows=rows)
    code = "epochs_classification" if task == "classification" else "epochs_generation"
    return rule("train.epochs", EPOCHS, code)


def batch_size_rule(rows: int) -> dict:
    if rows and rows < TINY_DATA:
        return rule("train.batch_size", TINY_DATA_BATCH, "batch_tiny", rows=rows, usual=BATCH)
    if rows >= LARGE_DATA:
        return rule("train.batch_size", LARGE_DATA_BATCH, "batch_large", rows=rows)
    return rule("train.batch_size", BATCH, "batch_default")


def learning_rate(family: str, method: str, parameters: int) -> tuple[float, str]:
    r = learning_rate_rule(family, method, parameters)
    return r["value"], r["reason"]


def usual_learning_rate(model: str, family: str, method: str, parameters: int) -> float:
    """The rate this model would train at by default: its preset's, else the rule's."""
    from ..models import PRESETS
    preset = PRESETS.get(model)
    if preset:
        return preset.lora_learning_rate if method == "lora" else preset.learning_rate
    return learning_rate(family, method, parameters)[0]
