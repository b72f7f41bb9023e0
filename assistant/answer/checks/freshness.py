"""Refuses (`out of date`) a question about the present ("this week", "recently") when,
relative to an explicit reference date, no relevant article is within two months of it."""

from __future__ import annotations

import re
from datetime import date
from typing import Sequence

from ...types import Passage, Refusal
from .base import Inquiry, Verdict

FRESH_DAYS = 60
# Lower-case "new" only: "New York" is a place, not a time.
_PRESENT = re.compile(
    r"\b(?i:this (?:week|weekend|month|year)|last (?:week|weekend|month)|recent|recently|newly|latest|"
    r"current|currently|now|today|yesterday|tonight|so far|upcoming|soon|ongoing)\b|\bnew\b"
)


def stale(question: str, passages: Sequence[Passage], as_of: date | None) -> str | None:
    if as_of is None or not passages or not _PRESENT.search(question):
        return None
    if any(not p.published for p in passages):
        return None  # an undated article might be recent
    published = [date.fromisoformat(p.published) for p in passages]
    if min(abs((as_of - day).days) for day in published) <= FRESH_DAYS:
        return None
    return f"The question is about the time around {as_of}; the newest relevant article is from {max(published)}."


def fresh(passage: Passage, reference: date) -> bool:
    """Published in the two months up to `reference` (a day of slack for time zones)."""
    if not passage.published:
        return False
    age = (reference - date.fromisoformat(passage.published)).days
    return -1 <= age <= FRESH_DAYS


def check(inquiry: Inquiry) -> Verdict | None:
    reason = stale(inquiry.question, inquiry.passages, inquiry.as_of)
    return Verdict(Refusal.OUT_OF_DATE, reason) if reason else None
