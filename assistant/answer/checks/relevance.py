"""Refuses (`no relevant passage`) when nothing retrieved is close to the question, without
spending seconds of generation."""

from __future__ import annotations

from typing import Sequence

from ...types import Passage, Refusal
from .base import Inquiry, Verdict

# Below this cosine similarity nothing retrieved is about the question.
MIN_SIMILARITY = 0.2


def relevant(passages: Sequence[Passage]) -> bool:
    return any((p.similarity or 0.0) >= MIN_SIMILARITY for p in passages)


def check(inquiry: Inquiry) -> Verdict | None:
    return None if relevant(inquiry.passages) else Verdict(Refusal.NO_RELEVANT_PASSAGE)
