"""How the rankings become one: reciprocal-rank fusion, and small boosts for passages that
hold the question's numbers or, given a reference day, were published shortly before it."""

from __future__ import annotations

from datetime import date

from ..text.words import words

RRF_K = 60
# With a reference date, a passage published that day earns up to this many extra
# rank-one votes, halving every RECENCY_HALF_LIFE days of age.
RECENCY_WEIGHT = 1.0
RECENCY_HALF_LIFE = 14.0
# A passage holding every number of the question ("2018") earns half a rank-one vote.
NUMBER_WEIGHT = 0.5


def rrf(rankings: dict[str, list[str]], k: int = RRF_K, weights: dict[str, float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion: sum of weight / (k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, id_ in enumerate(ids, start=1):
            scores[id_] = scores.get(id_, 0.0) + weight / (k + rank)
    return scores


def boost(fused: dict[str, float], query: str, texts: dict[str, str], days: dict[str, int | None],
          as_of: date | None, recency_weight: float = RECENCY_WEIGHT, half_life: float = RECENCY_HALF_LIFE) -> None:
    """Add the number and recency bonuses to `fused` in place."""
    numbers = {w for w in words(query) if w.isdigit()}
    for id_ in fused:
        if numbers and numbers <= set(words(texts[id_])):
            # "the 2018 Nobel Prize": the year tells near-identical articles apart.
            fused[id_] += NUMBER_WEIGHT / (RRF_K + 1)
        day = days.get(id_)
        if as_of is not None and day is not None and day <= as_of.toordinal():
            age = as_of.toordinal() - day
            fused[id_] += recency_weight * 0.5 ** (age / half_life) / (RRF_K + 1)
