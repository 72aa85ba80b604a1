"""From a JobConfig to a ready-to-train plan, in rooms by concern:

  plan.py          resolve the model, the defaults and the data; load the model (prepare)
  preview.py       what a job would do, without loading weights (the page's one engine call)
  adapters.py      LoRA, dropout, frozen embeddings
  numerics.py      bf16 / fp32 choice, autocast, bf16 frozen weights
  trainer_args.py  TrainingArguments, step counts, extra callbacks
  saving.py        the saved model folder, checkpoints for resume
  memory.py        a run's peak memory, estimated before it starts
  memory_plan.py   fit a run to the machine's memory (micro-batches, LoRA) or refuse it
"""
from .adapters import LORA_TARGETS, apply_lora, set_dropout  # noqa: F401
from .plan import (Plan, model_max_length, model_width, plan_memory, precheck,  # noqa: F401
                   prepare, resolve, resolve_defaults, resolve_model, resolve_packing)
from .memory_plan import MemoryBudgetError, MemoryPlan  # noqa: F401
from .numerics import (BF16_MIN_WIDTH, auto_precision, autocast,  # noqa: F401
                        cpu_has_fast_bf16, frozen_linears_to_bf16, precision)
from .preview import ModelFacts, Preview, model_facts, preview  # noqa: F401
from .saving import last_checkpoint, save_model  # noqa: F401
from .trainer_args import (extra_callbacks, steps_per_epoch, total_steps,  # noqa: F401
                           training_arguments)
