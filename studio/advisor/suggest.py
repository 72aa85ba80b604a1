"""Settings to start from, before training, for a model and data: each value comes from a
written-down rule with its source, so the page can say why (never a per-preset table).

suggest_settings(...) -> {"train.learning_rate": (3e-05, "why"), "train.epochs": ..., ...}
Not yet wired into the page's preview (the Train step is being reworked; wire it there).
"""
from __future__ import annotations

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


def suggest_settings(task: str, family: str, method: str, rows: int,
                     parameters: int) -> dict[str, tuple]:
    return {"train.learning_rate": learning_rate(family, method, parameters),
            "train.epochs": epochs(task, rows),
            "train.batch_size": batch_size(rows)}


def learning_rate(family: str, method: str, parameters: int) -> tuple[float, str]:
    if parameters and parameters < RANDOM_SMALL:
        return RANDOM_SMALL_LR, (f"A small model (under {RANDOM_SMALL / 1e6:.0f}M parameters) "
                                 f"takes a larger learning rate: {RANDOM_SMALL_LR:g} (Brown et "
                                 f"al. 2020, GPT-3, table 2.1: smaller models, larger rates).")
    if method == "lora":
        if parameters >= LORA_LARGE:
            return LORA_LARGE_LR, (f"LoRA on a model over {LORA_LARGE / 1e9:.0f}B parameters: "
                                   f"{LORA_LARGE_LR:g} (Dettmers et al. 2023, QLoRA).")
        return LORA_LR, (f"LoRA adapters: {LORA_LR:g} (Hu et al. 2021, LoRA; Dettmers et al. "
                         f"2023, QLoRA).")
    if family == "t5":
        return T5_FULL_LR, (f"Full fine-tuning of a T5 model with AdamW: {T5_FULL_LR:g} (Raffel "
                            f"et al. 2020; the transformers T5 guide: 1e-4 to 3e-4).")
    if family == "gpt":
        return GPT_FULL_LR, (f"Full fine-tuning of a decoder: {GPT_FULL_LR:g} (Taori et al. "
                             f"2023, Stanford Alpaca).")
    lr = BERT_SMALL_LR if parameters and parameters < SMALL_MODEL else BERT_LR
    return lr, (f"Full fine-tuning of an encoder: {lr:g}, within 2e-5 to 5e-5 (Devlin et al. "
                f"2019, BERT; the top of the range for models under "
                f"{SMALL_MODEL / 1e6:.0f}M parameters).")


def epochs(task: str, rows: int) -> tuple[int, str]:
    if rows and rows < FEW_ROWS:
        return FEW_ROWS_EPOCHS, (f"{rows} rows is few: {FEW_ROWS_EPOCHS} epochs give the steps "
                                 f"3 epochs lack (Mosbach et al. 2021; Zhang et al. 2021).")
    if rows >= MANY_ROWS:
        return MANY_ROWS_EPOCHS, (f"{rows} rows: one pass is enough (Komatsuzaki 2019, "
                                  f"\"One epoch is all you need\").")
    source = "Devlin et al. 2019: 2 to 4" if task == "classification" else \
        "Taori et al. 2023, Alpaca: 3"
    return EPOCHS, f"{EPOCHS} epochs ({source})."


def batch_size(rows: int) -> tuple[int, str]:
    if rows and rows < TINY_DATA:
        return TINY_DATA_BATCH, (f"{rows} rows: a batch of {TINY_DATA_BATCH} gives twice the "
                                 f"steps per epoch of {BATCH}.")
    if rows >= LARGE_DATA:
        return LARGE_DATA_BATCH, (f"{rows} rows: batch {LARGE_DATA_BATCH} (Devlin et al. 2019: "
                                  f"16 or 32).")
    return BATCH, f"Batch {BATCH} (Devlin et al. 2019: 16 or 32)."


def usual_learning_rate(model: str, family: str, method: str, parameters: int) -> float:
    """The rate this model would train at by default: its preset's, else the rule's."""
    from ..models import PRESETS
    preset = PRESETS.get(model)
    if preset:
        return preset.lora_learning_rate if method == "lora" else preset.learning_rate
    return learning_rate(family, method, parameters)[0]
