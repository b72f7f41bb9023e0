"""A second look's answer that only hands the question back is not kept."""

from __future__ import annotations

from ...text.words import NEGATION, YES_NO, content_words
from ..markers import MARKER


def restates(answer: str, question: str) -> bool:
    """The answer is the question's own words, all of them and nothing else: it repeats the
    question instead of answering. A shorter answer in the question's words can be right
    ("Biden" to "Biden or Trump?"), and so can the question's words to a yes/no question
    ("Velveeta is (not) popular" to "Is Velveeta popular?")."""
    if YES_NO.search(question) or NEGATION.search(answer):
        return False
    said, asked = set(content_words(MARKER.sub(" ", answer))), set(content_words(question))
    return said == asked
