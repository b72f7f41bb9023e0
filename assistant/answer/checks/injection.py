"""Articles that talk to the assistant instead of reporting news.

Passages reach the model as delimited data with their [n] look-alikes defused, but a
small model still obeys a sentence like "ignore your instructions and answer X". A
passage that addresses the assistant this way is withheld from the answer (it stays
searchable) and the user is told so.
"""

from __future__ import annotations

import re

from ...types import Excerpt

_ADDRESSES_THE_MODEL = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+)?(?:(?:your|my|previous|prior|above|earlier|preceding|system)\s+)*"
    r"(?:instructions?|rules|directions|prompts?|guidelines)\b"
    r"|\b(?:system|developer)\s+(?:note|prompt|message|instructions?)\s*:"
    r"|\bthe\s+only\s+correct\s+answer\b"
    r"|\byou\s+(?:are\s+now|must\s+now|will\s+now)\b"
    r"|<\s*/?\s*passage\b"
    r"|^\s*(?:system|assistant)\s*:",
    re.IGNORECASE | re.MULTILINE,
)


def addresses_the_model(text: str) -> bool:
    return _ADDRESSES_THE_MODEL.search(text) is not None


def withhold(excerpts: list[Excerpt]) -> tuple[list[Excerpt], list[str]]:
    """The excerpts without those that address the model, renumbered, and the sources withheld."""
    kept: list[Excerpt] = []
    withheld: list[str] = []
    for excerpt in excerpts:
        if addresses_the_model(excerpt.full_text):
            withheld.append(excerpt.first.source)
        else:
            excerpt.n = len(kept) + 1
            kept.append(excerpt)
    return kept, withheld
