"""An answer that repeats a sentence word for word ends before the first repeat."""

from __future__ import annotations

from ...text.sentences import split_sentences
from ...text.words import words
from ..markers import MARKER
from .base import Draft


def repeated(text: str) -> int | None:
    """Where the first sentence that repeats an earlier one (word for word, markers
    aside) begins, or None. A small model sometimes copies a passage sentence over and
    over until its token limit; what follows the first repeat is only that."""
    seen = set()
    for start, end in split_sentences(text):
        key = tuple(words(MARKER.sub(" ", text[start:end])))
        if len(key) >= 4 and key in seen:
            return start
        seen.add(key)
    return None


def cut(draft: Draft) -> None:
    if (loop := repeated(draft.text)) is not None:
        draft.text = draft.text[:loop].rstrip()
