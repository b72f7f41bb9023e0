"""An opening sentence that only repeats the question's premise goes, so the answer comes first."""

from __future__ import annotations

from ...text.sentences import split_sentences
from ...text.words import NEGATION, YES_NO, added_words, content_words
from ..markers import MARKER, sentence_parts
from .base import Draft

PREMISE_SHARE = 0.8  # the six premise echoes seen on rtqa-dev each held all of it


def lead_with_answer(text: str, question: str) -> str:
    """The answer without an opening sentence that only repeats the premise of a question
    that has one ("The GOP's most outspoken critic … was booted from her House seat this
    week. What is her name?" answered "The GOP's most outspoken critic … this week [2].
    Liz Cheney …"), so that the answer comes first. Such a sentence adds no word to the
    question and holds at least `PREMISE_SHARE` of the premise's words (an answer picking
    one of the premise's names holds fewer); what follows must be cited and add a word.
    Yes/no questions and negated sentences are left alone: there the question's own words
    are the answer. Run after `drop_uncited`, so what follows carries its markers."""
    parts, tail = sentence_parts(text)
    asked = split_sentences(question)
    if len(parts) < 2 or any(YES_NO.search(question[a:b]) for a, b in asked):
        return text
    first = MARKER.sub(" ", parts[0][1] + parts[0][2])
    premise, said = set(content_words(question[: asked[-1][0]])), set(content_words(first))
    if added_words(first, question) or NEGATION.search(first) or len(premise & said) < max(4, PREMISE_SHARE * len(premise)):
        return text
    # The next span's leading markers belong to the sentence that goes.
    rest = parts[1][2] + "".join(before + lead + sentence for before, lead, sentence in parts[2:]) + tail
    if not MARKER.search(rest) or not added_words(MARKER.sub(" ", rest), question):
        return text
    return rest.strip()


def lead(draft: Draft) -> None:
    draft.text = lead_with_answer(draft.text, draft.question)
