"""Scores of an evaluation run: answer correctness, retrieval ranks, refusals, citations
and latency, per question (`Row`) and in sum (`EvalResult.summary`).

Retrieval is scored at the level of sources (distinct articles in retrieval order).
An answer is correct when it is not a refusal and a normalised gold string occurs in it;
rows with no gold answers are unanswerable and the right reply is a refusal.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..text.words import normalize_answer
from .questions import Question


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains_gold(prediction: str, golds: tuple[str, ...]) -> bool:
    text = normalize_answer(prediction)
    return any(normalize_answer(gold) and normalize_answer(gold) in text for gold in golds)


@dataclass
class Row:
    question: Question
    sources: list[str]  # distinct retrieved sources, best first
    retrieve_ms: float
    answer: str = ""
    refused: bool | None = None
    refused_by: str | None = None
    corrected_by: str | None = None
    second_look: bool = False
    cited: list[str] = field(default_factory=list)
    cited_by_model: list[str] = field(default_factory=list)  # without the corroborating markers
    cited_chunks: tuple[str, ...] = ()
    markers_total: int = 0
    markers_valid: int = 0
    markers_pruned: int = 0
    markers_added: int = 0  # corroborating markers, not the model's
    markers_shown: int = 0  # in the answer as displayed
    answer_ms: float | None = None

    @property
    def gold_rank(self) -> int | None:
        for rank, source in enumerate(self.sources, start=1):
            if source in self.question.sources:
                return rank
        return None

    @property
    def correct(self) -> bool:
        # A refusal that quotes who did say something may hold the gold words: still no answer.
        if not self.question.answerable:
            return bool(self.refused)
        return not self.refused and contains_gold(self.answer, self.question.answers)

    def as_json(self, generated: bool = True) -> dict:
        """`correct` is null where no answer was generated (retrieval only)."""
        return {
            "id": self.question.id, "question": self.question.question, "gold": list(self.question.answers),
            "gold_rank": self.gold_rank, "answer": self.answer, "refused": self.refused,
            "refused_by": self.refused_by, "second_look": self.second_look, "correct": self.correct if generated else None,
            "kind": self.question.kind or None, "corrected_by": self.corrected_by,
            "cited_sources": self.cited, "cited_by_model": self.cited_by_model, "retrieve_ms": round(self.retrieve_ms),
            "answer_ms": self.answer_ms and round(self.answer_ms),
        }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile of `values` by linear interpolation between the closest ranks (as
    numpy's default and `statistics.quantiles(method="inclusive")`); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _ms(values: list[float], q: float) -> int | None:
    value = percentile(values, q)
    return None if value is None else round(value)


@dataclass
class EvalResult:
    rows: list[Row]
    generated: bool
    label: str = ""

    def hits_at(self, k: int) -> float | None:
        """Share of questions with a gold source whose gold source ranked in the top k."""
        return _mean([1.0 if r and r <= k else 0.0 for r in self._gold_ranks()])

    def _gold_ranks(self) -> list[int | None]:
        return [r.gold_rank for r in self.rows if r.question.sources]

    def by_kind(self) -> dict[str, "EvalResult"]:
        """The rows of each question kind, when the question file labels them."""
        kinds: dict[str, list[Row]] = {}
        for row in self.rows:
            if row.question.kind:
                kinds.setdefault(row.question.kind, []).append(row)
        return {kind: EvalResult(rows, self.generated, kind) for kind, rows in kinds.items()}

    def summary(self) -> dict:
        summary = self._summary()
        if kinds := self.by_kind():
            summary["by_kind"] = {kind: result._summary() for kind, result in kinds.items()}
        return summary

    def _summary(self) -> dict:
        ranks = self._gold_ranks()
        answerable = [r for r in self.rows if r.question.answerable]
        unanswerable = [r for r in self.rows if not r.question.answerable]
        gen = self.generated
        correct = [r for r in answerable if r.correct] if gen else []
        total_markers = sum(r.markers_total for r in self.rows)
        latencies = [ms for r in self.rows if (ms := r.answer_ms if gen else r.retrieve_ms) is not None]
        return {
            "n": len(self.rows),
            "label": self.label,
            "retrieval": {
                "hits@1": self.hits_at(1),
                "hits@5": self.hits_at(5),
                "hits@10": self.hits_at(10),
                "mrr@10": _mean([1.0 / r if r and r <= 10 else 0.0 for r in ranks]),
                "n": len(ranks),
                "p50_ms": _ms([r.retrieve_ms for r in self.rows], 0.5),
            },
            "answers": {
                "contains": _mean([1.0 if r.correct else 0.0 for r in answerable]) if gen else None,
                "f1": _mean([max((token_f1(r.answer, g) for g in r.question.answers), default=0.0) for r in answerable]) if gen else None,
                "refused": _mean([1.0 if r.refused else 0.0 for r in answerable]) if gen else None,
                "refused_by": dict(Counter(r.refused_by for r in answerable if r.refused).most_common()) if gen else None,
                # Answers kept from the second look (after the model refused), and how many were right.
                "second_look": {"answered": sum(r.second_look for r in self.rows),
                                "correct": sum(r.second_look and r.correct for r in answerable)} if gen else None,
                "n": len(answerable) if gen else 0,
            },
            "refusal": {
                "accuracy": _mean([1.0 if r.refused else 0.0 for r in unanswerable]) if gen else None,
                "n": len(unanswerable) if gen else 0,
            },
            "citations": {
                "valid_markers": _ratio(sum(r.markers_valid for r in self.rows), total_markers),
                # Of the markers an answer carried after the other checks and before corroboration,
                # those taken off a sentence because their passage names none of what it adds to the question.
                "pruned_markers": _ratio(sum(r.markers_pruned for r in self.rows),
                                         sum(r.markers_pruned + r.markers_shown - r.markers_added for r in self.rows)),
                # Of the markers shown, those added to the direct answer for another passage naming it.
                "added_markers": _ratio(sum(r.markers_added for r in self.rows), sum(r.markers_shown for r in self.rows)),
                "gold_source_cited": _mean([1.0 if set(r.cited) & set(r.question.sources) else 0.0 for r in correct if r.question.sources]),
                "gold_source_cited_by_model": _mean([1.0 if set(r.cited_by_model) & set(r.question.sources) else 0.0
                                                     for r in correct if r.question.sources]),
            },
            "latency_ms": {"p50": _ms(latencies, 0.5), "p95": _ms(latencies, 0.95)},
        }
