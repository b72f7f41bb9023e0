"""Markers on passages that name none of what a sentence adds to the question are taken off."""

from __future__ import annotations

import re
from typing import Sequence

from ...text.words import added_words, named
from ..markers import LEADING, MARKER, MARKER_RUN, map_sentences, marker_count, markers
from .base import Draft


def prune_unsupported(text: str, passages: Sequence[str], question: str = "") -> str:
    """Markers of a sentence that cites several passages, without those that share none of
    the words the sentence adds to the question: small models often cite every passage
    ("Joe Biden won [1][2]...[8]") and a passage that never names the answer backs nothing.
    Run after `clean_markers` (markers as [n][m]). A sentence keeps all its markers when
    none of them would be left, or when it adds no word to the question."""
    def rewrite(sentence: str) -> str:
        # Markers opening the span ('ISIS claimed it." [2] Next …') belong to the
        # sentence before, whose words are not here: they stay as written.
        opening = LEADING.match(sentence)
        lead, body = (opening.group(), sentence[opening.end():]) if opening else ("", sentence)
        numbers = [n for n in markers(body) if 1 <= n <= len(passages)]
        added = added_words(MARKER.sub(" ", body), question)
        backing = [n for n in numbers if added & named(passages[n - 1])]
        if len(numbers) < 2 or not backing or len(backing) == len(numbers):
            return sentence

        def keep(match: re.Match) -> str:
            kept = "".join(f"[{n}]" for n in markers(match.group(2)) if n in backing)
            return match.group(1) + kept if kept else ""

        return lead + MARKER_RUN.sub(keep, body)

    return map_sentences(text, rewrite)


def prune(draft: Draft) -> None:
    draft.markers_before_pruning = marker_count(draft.text)
    draft.text = prune_unsupported(draft.text, draft.titled_texts, draft.question)
    draft.markers_kept, draft.own_markers = marker_count(draft.text), set(markers(draft.text))
