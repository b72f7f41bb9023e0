"""Markers that point at no passage are dropped (and counted)."""

from __future__ import annotations

from ..markers import clean_markers
from .base import Draft


def clean(draft: Draft) -> None:
    draft.text, draft.dropped_markers = clean_markers(draft.text, len(draft.excerpts))
