"""A rating session: two models, a list of prompts, a blind order, and answers made once.

The two sides are two finished generation runs of the same task, or a run and its own base
model ("base:<model>"); anything else is refused, so a hosted visitor can only rate models
it already owns. Prompts come from the validation rows the runs were scored on (the run
folder's samples file), from a file, or typed. Which side is shown on the left is drawn per
prompt from a seeded generator: the same seed gives the same order after a page reload.
Answers are greedy (the studio's own validation decoding) with the run's kept chat settings
(system prompt, max_new_tokens), and cached in the workspace keyed by model, model file time,
prompt and settings, so a reload or a second rater never regenerates them.
"""
from __future__ import annotations

import hashlib
import json
import logging
import random
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..runfolder import RunFolder
from .store import BASE_PREFIX, RatingError

log = logging.getLogger(__name__)
GENERATION_TASKS = ("chat", "text2text")
MAX_PROMPTS = 200
DEFAULT_MAX_NEW_TOKENS = 128
ANSWERS_FILE = "rating_answers.jsonl"


@dataclass
class RatingSession:
    id: str
    run_a: str
    run_b: str
    task: str
    prompts: list[str]
    first: list[str]               # per prompt: the stored side ("a"/"b") shown on the left
    seed: int = 0
    owner: str = ""
    names: dict = field(default_factory=dict)   # ref -> run name (revealed after a vote)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "RatingSession":
        return cls(**data)

    def order(self, index: int) -> tuple[str, str]:
        """(left side, right side) of prompt `index`, as stored sides 'a'/'b'."""
        return ("a", "b") if self.first[index] == "a" else ("b", "a")

    def vote_of(self, index: int, choice: str) -> str:
        """A choice on the page (left | right | tie | both_bad) -> the stored vote."""
        if choice in ("tie", "both_bad"):
            return choice
        if choice not in ("left", "right"):
            raise RatingError(code="rating_bad_choice", vote=choice)
        left, right = self.order(index)
        return left if choice == "left" else right

    def ref(self, side: str) -> str:
        return self.run_a if side == "a" else self.run_b


def blind_order(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["a" if rng.random() < 0.5 else "b" for _ in range(n)]


def _run_of(registry, ref: str, owner: str | None):
    run = registry.get(ref, owner) if owner is not None else registry.find(ref)
    if run is None:
        raise RatingError(code="rating_no_run", run=ref)
    if run.task not in GENERATION_TASKS or not RunFolder(run.run_dir).has_model():
        raise RatingError(code="rating_not_generation", run=run.name or run.id)
    return run


def resolve_pair(registry, run_a: str, run_b: str, owner: str | None = None):
    """The two runs (a base side as None) and the task; checks what may be compared."""
    refs = (run_a, run_b)
    runs = [None if r.startswith(BASE_PREFIX) else _run_of(registry, r, owner) for r in refs]
    real = [r for r in runs if r is not None]
    if not real:
        raise RatingError(code="rating_need_run")
    for ref, run in zip(refs, runs):
        if run is None and ref[len(BASE_PREFIX):] != real[0].model:
            raise RatingError(code="rating_wrong_base", model=ref[len(BASE_PREFIX):],
                              base=real[0].model, run=real[0].name)
    if len(real) == 2 and (real[0].id == real[1].id or real[0].task != real[1].task):
        raise RatingError(code="rating_same_runs")
    return runs, real[0].task


def new_session(registry, run_a: str, run_b: str, *, prompts: list[str] | None = None,
                file: str | None = None, seed: int | None = None, owner: str | None = None,
                limit: int = MAX_PROMPTS) -> RatingSession:
    """A session over typed `prompts`, else the prompts of `file`, else the validation rows."""
    runs, task = resolve_pair(registry, run_a, run_b, owner)
    refs = [r.id if r is not None else ref for r, ref in zip(runs, (run_a, run_b))]
    if prompts:
        chosen = [p.strip() for p in prompts if p and p.strip()]
    elif file:
        chosen = prompts_from_file(file, task)
    else:
        chosen = validation_prompts([r for r in runs if r is not None])
    chosen = list(dict.fromkeys(chosen))[:limit]  # a repeated prompt is rated once
    if not chosen:
        raise RatingError(code="rating_no_prompts", field="train.generation_samples")
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    names = {ref: (r.name or r.id) if r is not None else ref for r, ref in zip(runs, refs)}
    return RatingSession(secrets.token_hex(6), refs[0], refs[1], task, chosen,
                         blind_order(len(chosen), seed), seed, owner or "", names)


def validation_prompts(runs) -> list[str]:
    """The prompts of the runs' scored validation rows (samples after training)."""
    out = []
    for run in runs:
        out += [str(s.get("prompt") or "") for s in RunFolder(run.run_dir).outputs("samples")]
    return [p for p in out if p.strip()]


def prompts_from_file(path: str, task: str) -> list[str]:
    """One prompt per line of a .txt file; else the data layer reads the file and each row's
    last user turn (chat) or prompt column (text-to-text) is the prompt."""
    if Path(path).suffix.lower() == ".txt":
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        return [line.strip() for line in text.splitlines() if line.strip()]
    from ..data import inspect_file
    frame = inspect_file(path, task=task, fixes={"duplicate": "keep"}).examples
    out = []
    for row in frame.to_dict("records"):
        msgs = row.get("messages")
        if msgs is not None:
            users = [m for m in list(msgs) if m.get("role") == "user"]
            out.append(str(users[-1]["content"]) if users else "")
        else:
            out.append(str(row.get("prompt") or ""))
    return [p.strip() for p in out if p.strip()]


# ---- answers ----------------------------------------------------------------------------------

def settings_of(runs) -> dict:
    """The kept chat settings of the first run that has some; decoding is always greedy."""
    from ..export import chat_settings
    for run in runs:
        if run is not None and (kept := chat_settings.saved(RunFolder(run.run_dir))):
            return {"system_prompt": kept.get("system_prompt", ""),
                    "max_new_tokens": int(kept.get("max_new_tokens") or
                                          DEFAULT_MAX_NEW_TOKENS)}
    return {"system_prompt": "", "max_new_tokens": DEFAULT_MAX_NEW_TOKENS}


class AnswerCache:
    """Generated answers in the workspace (one JSON line each), by a key of what made them."""

    def __init__(self, workspace: str | Path):
        self.path = Path(workspace) / ANSWERS_FILE

    @staticmethod
    def key(ref: str, stamp: float, prompt: str, settings: dict) -> str:
        text = json.dumps([ref, stamp, prompt, settings], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, key: str) -> str | None:
        if not self.path.exists():
            return None
        found = None
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and row.get("key") == key:
                found = row.get("answer")
        return found

    def put(self, key: str, answer: str) -> None:
        import fcntl
        with open(self.path, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.write(json.dumps({"key": key, "answer": answer}, ensure_ascii=False) + "\n")


def answers_for(session: RatingSession, index: int, registry, models,
                owner: str | None = None) -> dict:
    """{"a": answer of run_a, "b": answer of run_b} for prompt `index`, generated once.
    `models` is a studio.inference.ModelCache; `owner` (hosted) must own the runs."""
    from ..inference import chat_messages, generate_text
    runs, task = resolve_pair(registry, session.run_a, session.run_b, owner)
    settings = settings_of(runs)
    prompt = session.prompts[index]
    cache = AnswerCache(registry.workspace)
    out = {}
    for side, run, ref in zip("ab", runs, (session.run_a, session.run_b)):
        if run is not None:
            folder = RunFolder(run.run_dir)
            stamp = (folder.model_dir / RunFolder.MODEL_INFO).stat().st_mtime
        else:
            stamp = 0.0
        key = AnswerCache.key(ref, stamp, prompt, settings)
        answer = cache.get(key)
        if answer is None:
            lm = models.run(registry, run.id, owner) if run is not None else \
                models.base(ref[len(BASE_PREFIX):], task)
            msgs = chat_messages(lm, prompt, system_prompt=settings["system_prompt"])
            answer = generate_text(lm, msgs, settings["max_new_tokens"], temperature=0.0)
            cache.put(key, answer)
        out[side] = answer
    return out
