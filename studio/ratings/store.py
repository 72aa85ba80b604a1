"""The rating votes: one JSON line per vote in the workspace's `ratings.jsonl`.

Why a file and not a table in the registry: the registry is an index that can be rebuilt from
the run folders, while a vote belongs to no run folder (it is about two runs) and is the only
copy of a person's judgement; an append-only JSON-lines file keeps every vote, is what the
export reads anyway, and survives a rebuilt index. Appends take an exclusive lock, so two
browsers voting at once never interleave their lines; a torn or hand-edited line is skipped.

A vote is about the stored sides: `run_a` and `run_b` (a run id, or "base:<model>" for an
untuned model), `vote` in a | b | tie | both_bad, and `shown_first` says which of them was
shown on the left, so position bias can be checked afterwards. `owner` is "" in local mode;
on a hosted studio every read is scoped to one owner and never returns another's votes.
"""
from __future__ import annotations

import fcntl
import json
import logging
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..errors import StudioError

log = logging.getLogger(__name__)
FILE = "ratings.jsonl"
VOTES = ("a", "b", "tie", "both_bad")
BASE_PREFIX = "base:"


class RatingError(StudioError):
    """A vote or rating session a user asked for cannot be made."""

    default_code = "rating"


@dataclass
class Rating:
    prompt: str
    run_a: str
    run_b: str
    answer_a: str
    answer_b: str
    vote: str                      # a | b | tie | both_bad, about run_a / run_b
    shown_first: str = "a"         # which stored side was shown on the left
    owner: str = ""                # "" in local mode; a login or anonymous browser key
    time: float = 0.0
    session: str = ""              # the rating session it came from

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Rating":
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def check_vote(rating: Rating) -> None:
    if rating.vote not in VOTES:
        raise RatingError(code="rating_bad_vote", vote=rating.vote, votes=list(VOTES))
    if rating.shown_first not in ("a", "b"):
        raise RatingError(code="rating_bad_order", vote=rating.shown_first)
    if not rating.run_a or not rating.run_b or rating.run_a == rating.run_b:
        raise RatingError(code="rating_two_models")


class RatingStore:
    """The votes of one workspace."""

    def __init__(self, workspace: str | Path | None = None):
        from ..runs import workspace_dir
        self.workspace = workspace_dir(workspace)
        self.path = self.workspace / FILE

    def add(self, rating: Rating) -> Rating:
        check_vote(rating)
        rating.time = rating.time or time.time()
        line = json.dumps(rating.to_dict(), ensure_ascii=False) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # released when the file closes
            f.write(line)
        return rating

    def list(self, owner: str | None = None) -> list[Rating]:
        """Every vote, oldest first; `owner` given (hosted mode): only that owner's."""
        if not self.path.exists():
            return []
        out = []
        with open(self.path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rating = Rating.from_dict(json.loads(line))
                    check_vote(rating)
                except (ValueError, TypeError) as e:
                    log.warning("%s line %d skipped: %s", self.path.name, number, e)
                    continue
                if owner is None or (rating.owner or "") == owner:
                    out.append(rating)
        return out

    def for_pair(self, run_a: str, run_b: str, owner: str | None = None) -> list[Rating]:
        pair = {run_a, run_b}
        return [r for r in self.list(owner) if {r.run_a, r.run_b} == pair]
