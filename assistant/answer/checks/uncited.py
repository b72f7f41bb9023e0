"""Unmarked factual sentences get the marker of the passage holding their words, or go."""

from __future__ import annotations

from ...text.words import content_words
from ..markers import MARKER, map_sentences, markers, sentence_parts
from .base import Draft


def add_missing_markers(text: str, passages: list[str], min_share: float = 0.5) -> str:
    """Give an uncited factual sentence the marker of the passage that supports it best,
    when that passage holds at least `min_share` of its content words."""
    def rewrite(sentence: str) -> str:
        words = set(content_words(MARKER.sub("", sentence)))
        if markers(sentence) or not words:
            return sentence
        scores = [len(words & set(content_words(p))) for p in passages]
        best = max(range(len(passages)), key=scores.__getitem__, default=None)
        if best is None or scores[best] < max(1, min_share * len(words)):
            return sentence
        stripped = sentence.rstrip(".!?")
        return f"{stripped} [{best + 1}]{sentence[len(stripped):]}"

    return map_sentences(text, rewrite)


def drop_uncited(text: str) -> str:
    """The answer without the factual sentences that carry no marker (run after
    `add_missing_markers`, so what is left of them matched no passage)."""
    parts, tail = sentence_parts(text)
    out = []
    for i, (before, lead, sentence) in enumerate(parts):
        followed_by_markers = i + 1 < len(parts) and parts[i + 1][1]
        if MARKER.search(sentence) or followed_by_markers or not content_words(sentence):
            out.append(before + lead + sentence)
        else:
            out.append(lead)
    return ("".join(out) + tail).strip()


def mark_or_drop(draft: Draft) -> None:
    draft.text = drop_uncited(add_missing_markers(draft.text, draft.full_texts))
