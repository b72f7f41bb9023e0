"""Refuses (`unsupported number`) an answer stating a number that neither its passages
(titles and dates included) nor the question hold: the model filled a gap rather than
reading."""

from __future__ import annotations

import re
from typing import Sequence

from ...types import Refusal
from .base import Draft

# After the model: an answer that states a number its passages never mention made it up.
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER = re.compile(r"\d[\d,.]*\d|\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


def numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        token = match.group().lower()
        token = _NUMBER_WORDS.get(token, token.replace(",", ""))
        found.add(token.lstrip("0") or "0")  # "06" in a date is the 6 of "June 6"
    return found


def invented_numbers(answer: str, sources: Sequence[str], question: str) -> set[str]:
    """Numbers in the answer found neither in the passages nor in the question."""
    known = numbers(question)
    for text in sources:
        known |= numbers(text)
    # Marker numbers are not claims.
    return numbers(re.sub(r"\[\d+\]", " ", answer)) - known


def check(draft: Draft) -> None:
    seen = draft.full_texts + [f"{e.first.title} {e.first.published}" for e in draft.excerpts] + [draft.today]
    if invented_numbers(draft.text, seen, draft.question):
        draft.refuse(Refusal.UNSUPPORTED_NUMBER)
