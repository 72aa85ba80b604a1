"""An optional judge model behind any OpenAI-compatible endpoint (a user's Ollama at
http://localhost:11434/v1, or a run behind `python -m studio serve`) rates the pairs people
already rated, and its agreement with their votes says whether to trust it.

Each pair is asked twice, once in each order, with the written RUBRIC at temperature 0: LLM
judges favour the first answer they see (Zheng et al. 2023, "Judging LLM-as-a-judge"), so a
vote that changes when the order does counts as a tie. Agreement is the share of pairs where
the judge's vote equals the person's (all four votes count), with its exact 95% interval.
CLI only: on a hosted studio a visitor-given URL would let the server call anywhere.
"""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from ..leaderboard.stats import Interval, clopper_pearson
from .store import RatingError

log = logging.getLogger(__name__)
RUBRIC = ("You compare two answers to the same prompt. The better answer is the one that is "
          "correct, does what the prompt asks, and is clear and no longer than needed; "
          "ignore which one comes first and how long each is. Reply with one word: A if answer "
          "A is better, B if answer B is better, TIE if they are equally good, BOTH_BAD if "
          "neither is acceptable.")
WORDS = {"A": "first", "B": "second", "TIE": "tie", "BOTH_BAD": "both_bad"}


@dataclass
class JudgeReport:
    votes: list[str]           # the judge's vote per rating, about run_a / run_b
    agree: int
    agreement: Interval        # share of ratings where judge and person agree


def ask(endpoint: str, model: str, prompt: str, first: str, second: str,
        api_key: str = "", timeout: float = 120) -> str:
    """One judgement: 'first' | 'second' | 'tie' | 'both_bad'."""
    body = {"model": model, "temperature": 0, "max_tokens": 8,
            "messages": [{"role": "system", "content": RUBRIC},
                         {"role": "user", "content": f"Prompt:\n{prompt}\n\nAnswer A:\n{first}"
                                                     f"\n\nAnswer B:\n{second}"}]}
    request = urllib.request.Request(
        endpoint.rstrip("/") + "/chat/completions", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {api_key}"} if api_key else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            text = json.loads(reply.read())["choices"][0]["message"]["content"]
    except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as e:
        raise RatingError(code="rating_judge_failed", endpoint=endpoint, model=model,
                          detail=str(e)) from e
    word = (text or "").strip().upper().replace(" ", "_").strip(".*\"'")
    for key in sorted(WORDS, key=len, reverse=True):  # BOTH_BAD before B
        if word.startswith(key):
            return WORDS[key]
    log.warning("judge reply %r is none of A, B, TIE, BOTH_BAD; counted as a tie", text)
    return "tie"


def judge_rating(endpoint: str, model: str, rating, api_key: str = "") -> str:
    """The judge's vote on one rated pair, about run_a / run_b, asked in both orders."""
    one = ask(endpoint, model, rating.prompt, rating.answer_a, rating.answer_b, api_key)
    two = ask(endpoint, model, rating.prompt, rating.answer_b, rating.answer_a, api_key)
    as_a = {"first": "a", "second": "b"}
    as_b = {"first": "b", "second": "a"}
    v1, v2 = as_a.get(one, one), as_b.get(two, two)
    return v1 if v1 == v2 else "tie"


def judge(endpoint: str, model: str, ratings, api_key: str = "") -> JudgeReport:
    votes = [judge_rating(endpoint, model, r, api_key) for r in ratings]
    agree = sum(v == r.vote for v, r in zip(votes, ratings))
    share = clopper_pearson(agree, len(votes)) if votes else Interval(float("nan"), None,
                                                                       None, 0)
    return JudgeReport(votes, agree, share)
