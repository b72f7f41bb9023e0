"""Every cited passage is quoted by its verbatim supporting sentences; refuses (`uncited`)
an answer in which no sentence is marked by the model or matched to a passage."""

from __future__ import annotations

from ...types import Refusal
from ..quotes import quotes
from .base import Draft


def cite(draft: Draft) -> None:
    # Quotes come from the article's own sentences, never from re-split joined text.
    draft.cited = quotes(draft.text, [e.sentence_texts for e in draft.excerpts], draft.question)
    if not draft.cited:
        draft.refuse(Refusal.UNCITED)
