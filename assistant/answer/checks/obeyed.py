"""Answer sentences whose only support is a sentence giving orders to its reader go;
refuses (`planted instruction`) an answer left with none.

An article whose sentences address the model is withheld before it is asked
(`injection.py`); this is the net behind that one, with the wider test of
`orders.gives_orders(loose=True)`: an answer sentence that adds to the question a word
which the passages hold only in such sentences ("ZORBLAX [2]", "see
http://tarnvik.example [2]") was written on their orders, not from the news.
"""

from __future__ import annotations

import re

from ...text.words import added_words, named
from ...types import Refusal
from ..markers import MARKER, map_sentences
from ..orders import orders
from .base import Draft


def planted_words(answer: str, passages: list[list[str]], question: str) -> set[str]:
    """Words the answer adds to the question that the passages (each a list of
    sentences, title first) hold only in sentences that give orders."""
    added = added_words(MARKER.sub(" ", answer), question)
    sentences = [s for passage in passages for s in passage]
    holding = [(s, named(s) & added) for s in sentences]
    holding = [(s, words) for s, words in holding if words]
    if not holding:
        return set()
    verdicts = orders((s for s, _ in holding), loose=True)
    clean = set().union(*(words for (_, words), order in zip(holding, verdicts) if not order))
    ordered = set().union(*(words for (_, words), order in zip(holding, verdicts) if order))
    return ordered - clean


def drop(draft: Draft) -> None:
    passages = [[e.first.title, *e.sentence_texts] for e in draft.excerpts]

    def keep(sentence: str) -> str:
        return "" if planted_words(sentence, passages, draft.question) else sentence

    text = map_sentences(draft.text, keep)
    if text == draft.text:
        return
    draft.text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]{2,}", " ", text)).strip()
    if not named(MARKER.sub(" ", draft.text)):
        draft.refuse(Refusal.PLANTED)
