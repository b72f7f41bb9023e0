"""Refuses (`unsupported count`) a "how many" answer whose count no passage sentence gives
together with anything the question asks about ("Two suspects were arrested")."""

from __future__ import annotations

import re
from typing import Sequence

from ...text.sentences import split_sentences
from ...text.words import content_words, same_word, word_pieces
from ...types import Refusal
from ..markers import claims
from .base import Draft
from .numbers import numbers

_HOW_MANY = re.compile(r"\bhow many\b", re.I)


def uncounted(answer: str, sources: Sequence[str], question: str) -> bool:
    """A "how many" answer whose count no passage sentence gives together with anything
    the question asks about: the seed article has "two of them" (speaking Arabic in a
    video) and nothing on arrests, and "Two suspects were arrested" was the model filling
    the gap. Any of the question's words will do ("LeBron scored 38" for "How many points
    did LeBron score?"). Judged on the direct answer (its first sentence)."""
    found = claims(answer)
    count = numbers(found[0][0]) - numbers(question) if found and _HOW_MANY.search(question) else set()
    if not count:
        return False
    asked = _pieces(question)
    for text in sources:
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if not count & numbers(sentence):
                continue
            said = _pieces(sentence)
            if any(same_word(a, b) or same_word(b, a) for a in asked for b in said):
                return False
    return True


def _pieces(text: str) -> list[str]:
    """Content word pieces of three letters or more: short ones match too much by prefix."""
    return [part for part in word_pieces(" ".join(content_words(text))) if len(part) > 2]


def check(draft: Draft) -> None:
    if uncounted(draft.text, draft.full_texts, draft.question):
        draft.refuse(Refusal.UNSUPPORTED_COUNT)
