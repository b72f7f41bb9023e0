"""The direct answer also cites the other passages that name it."""

from __future__ import annotations

from typing import Collection, Sequence

from ...text.sentences import split_sentences
from ...text.words import answer_terms, named
from ..markers import (
    LEADING,
    MARKER,
    TRAILING_RUN,
    claims,
    marker_count,
    markers,
    sentence_head,
)
from .base import Draft


def cite_corroborating(text: str, passages: Sequence[str], question: str = "", most: int = 3,
                       share: float = 0.5) -> str:
    """The answer's first sentence (the direct answer) with the markers of the other
    passages that name it too, up to `most` markers in all: each such passage names every
    name and number the sentence adds to the question and at least `share` of all the
    words it adds. The model usually cites one of several articles that state the answer;
    showing the others lets the reader see it corroborated. Run after `clean_markers` and
    `prune_unsupported`, whose rule it mirrors. A sentence without markers, names or
    numbers, with a negation, or followed by markers that open the next line (which
    `claims` counts as its own), is left alone; so are the markers it already has."""
    spans = split_sentences(text)
    if not spans or (len(spans) > 1 and LEADING.match(text[spans[1][0]:spans[1][1]])):
        return text
    start, end = spans[0]
    sentence = text[start:end]
    head = sentence_head(sentence)
    cited = markers(head)
    terms = answer_terms(MARKER.sub(" ", head), question)
    if not cited or terms is None or marker_count(head) >= most:
        return text
    added, names = terms
    extra = [n for n, passage in enumerate(passages, start=1)
             if n not in cited and names <= named(passage) and len(added & named(passage)) >= share * len(added)]
    if not extra:
        return text
    run = "".join(f"[{n}]" for n in extra[: most - marker_count(head)])
    space = "" if TRAILING_RUN.search(head) else " "
    return text[:start] + head + space + run + sentence[len(head):] + text[end:]


def corroborated(answer: str, texts: Sequence[str], question: str, cited: Collection[int], share: float = 0.5) -> bool:
    """Two of `texts` (one per article), one of them cited (`cited`: their indexes), name
    the answer: each holds `share` of the words the answer's first sentence (the direct
    answer) adds to the question. That sentence must name someone, something or a number
    the question does not, and must not be negated ("The winner is not named, …")."""
    found = claims(answer)
    terms = answer_terms(found[0][0] if found else "", question)
    if terms is None:
        return False
    added = terms[0]
    naming = {i for i, text in enumerate(texts) if len(added & named(text)) >= share * len(added)}
    return len(naming) >= 2 and bool(naming & set(cited))


def cite(draft: Draft) -> None:
    if draft.corroborate:
        draft.text = cite_corroborating(draft.text, draft.titled_texts, draft.question)
