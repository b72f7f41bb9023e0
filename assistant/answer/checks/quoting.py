"""Replies written from the evidence itself when the model's attribution fails: a
speaker's own sentence, verbatim, with its marker."""

from __future__ import annotations

from ...attribute import names
from ...types import Speaker
from ..markers import sentence_head


def as_answer(sentence: str, speaker: Speaker, n: int) -> str:
    """`sentence` as an answer citing passage `n`, with the speaker named first when the
    sentence itself does not name them (a quotation that runs on)."""
    named = names.surname(speaker.name) in {w.strip(".") for w in names.words(sentence)}
    text = sentence.strip() if named else f"{speaker.name}: {sentence.strip()}"
    head = sentence_head(text)
    return f"{head} [{n}]{text[len(head):]}"
