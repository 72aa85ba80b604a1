"""Per pair of models: wins, losses, ties, the win rate with its 95% interval and whether it is
real, in the leaderboard's own words and units.

Ties and "both bad" votes say nothing about which side is better, so the win rate and its test
use the decisive votes only: the win rate is wins / (wins + losses) with the exact
(Clopper-Pearson) interval (studio.leaderboard.stats.clopper_pearson), and the two-sided sign
test is scipy's binomtest(wins, wins + losses, 0.5). The sentence is a
studio.leaderboard.verdict.Verdict (code + params + English), shown in points like the
leaderboard's; the pair is oriented so that `run_a` is the side with more wins.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..leaderboard.stats import Interval, clopper_pearson
from ..leaderboard.verdict import ALPHA, Verdict, points


@dataclass
class PairStats:
    run_a: str
    run_b: str
    name_a: str
    name_b: str
    wins: int                      # votes for run_a
    losses: int                    # votes for run_b
    ties: int
    both_bad: int
    win_rate: Interval             # run_a's share of decisive votes, 0-1
    p_value: float | None
    verdict: Verdict = field(default_factory=lambda: Verdict("no_decisive"))

    @property
    def ratings(self) -> int:
        return self.wins + self.losses + self.ties + self.both_bad

    def to_dict(self) -> dict:
        rate = self.win_rate
        return {"run_a": self.run_a, "run_b": self.run_b, "name_a": self.name_a,
                "name_b": self.name_b, "wins": self.wins, "losses": self.losses,
                "ties": self.ties, "both_bad": self.both_bad, "ratings": self.ratings,
                "win_rate": rate.value, "low": rate.low, "high": rate.high,
                "p_value": self.p_value, "verdict": self.verdict.to_dict()}


def sign_test(wins: int, losses: int) -> float | None:
    """Two-sided sign test p-value over the decisive votes; None without any."""
    if wins + losses == 0:
        return None
    from scipy.stats import binomtest
    return float(binomtest(wins, wins + losses, 0.5).pvalue)


def pair_stats(run_a: str, run_b: str, wins: int, losses: int, ties: int = 0,
               both_bad: int = 0, names: dict | None = None) -> PairStats:
    names = names or {}
    if losses > wins:  # the winner first, like the leaderboard
        run_a, run_b, wins, losses = run_b, run_a, losses, wins
    decisive = wins + losses
    rate = clopper_pearson(wins, decisive) if decisive else Interval(float("nan"), None, None,
                                                                        0)
    p = sign_test(wins, losses)
    stats = PairStats(run_a, run_b, names.get(run_a, run_a), names.get(run_b, run_b), wins,
                      losses, ties, both_bad, rate, p)
    stats.verdict = verdict(stats)
    return stats


def verdict(s: PairStats) -> Verdict:
    """codes: rating_beats | rating_not_significant | rating_no_decisive."""
    winner, loser = s.name_a, s.name_b
    decisive = s.wins + s.losses
    base = {"winner": winner, "loser": loser, "n": s.ratings, "wins": s.wins,
            "losses": s.losses, "ties": s.ties + s.both_bad, "decisive": decisive}
    if not decisive:
        return Verdict("rating_no_decisive", base,
                       f"{winner} and {loser} have no decisive vote yet ({s.ratings} ratings, "
                       f"all ties or both bad); rate more prompts to compare them.")
    params = {**base, "rate": points(s.win_rate.value * 100),
              "low": points(s.win_rate.low * 100), "high": points(s.win_rate.high * 100),
              "test": "sign test", "p": f"{s.p_value:.3g}"}
    ci = f"95% CI {params['low']} to {params['high']}"
    how = (f"sign test p = {params['p']}, {decisive} decisive of {s.ratings} ratings")
    if s.p_value < ALPHA and s.wins > s.losses:
        return Verdict("rating_beats", params,
                       f"{winner} beats {loser} in {params['rate']}% of decisive votes "
                       f"({ci}; {how}).")
    return Verdict("rating_not_significant", params,
                   f"{winner} wins {params['rate']}% of decisive votes against {loser}, but "
                   f"the difference is not significant ({ci}; {how}).")


def pair_rows(ratings, names: dict | None = None) -> list[PairStats]:
    """One PairStats per unordered pair of models in `ratings` (studio.ratings.Rating), most
    rated first. `names` maps a ref to the name shown (the run's name)."""
    counts: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for r in ratings:
        pair = tuple(sorted((r.run_a, r.run_b)))
        if r.vote in ("a", "b"):
            won = r.run_a if r.vote == "a" else r.run_b
            counts[pair]["first" if won == pair[0] else "second"] += 1
        else:
            counts[pair][r.vote] += 1
    rows = [pair_stats(a, b, c["first"], c["second"], c["tie"], c["both_bad"], names)
            for (a, b), c in counts.items()]
    return sorted(rows, key=lambda s: (-s.ratings, s.run_a, s.run_b))


def leaderboard_rows(registry, owner: str | None = None) -> list[dict]:
    """What the leaderboard shows for ratings: one dict per pair of models, named by run
    names, from this workspace's votes (`owner` given: only that owner's)."""
    from .store import RatingStore
    ratings = RatingStore(registry.workspace).list(owner)
    names = {}
    for r in {x for rating in ratings for x in (rating.run_a, rating.run_b)}:
        run = registry.get(r)
        names[r] = (run.name or run.id) if run is not None else r
    return [s.to_dict() for s in pair_rows(ratings, names)]
