"""Blind side-by-side rating of two generation runs (or a run and its base model).

store: the votes, in the workspace's ratings.jsonl, owner-scoped; session: the prompts, the
blind order and the cached answers; stats: win rate, interval and sign test per pair of runs;
export: preference pairs (prompt, chosen, rejected) and a CSV of every vote.
"""
from .session import RatingSession, answers_for, new_session
from .stats import PairStats, pair_rows
from .store import BASE_PREFIX, VOTES, Rating, RatingStore

__all__ = ["BASE_PREFIX", "VOTES", "PairStats", "Rating", "RatingSession", "RatingStore",
           "answers_for", "new_session", "pair_rows"]
