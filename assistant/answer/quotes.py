"""The verbatim passage sentences that back each cited claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..text.sentences import split_sentences
from ..text.words import added_words, named, words
from ..types import GAP
from .markers import claims


@dataclass(frozen=True)
class Cited:
    n: int
    quote: str


def _overlap(claim_words: set[str], sentence: str) -> int:
    return len(claim_words & named(sentence))


def supporting_sentences(claim: str, passage: str | Sequence[str], limit: int = 2, question: str = "",
                         prefer: Sequence[str] = ()) -> list[str]:
    """Verbatim sentences of `passage` (a text, or its sentences already split) that best
    support `claim` (about `question`), in passage order: first the sentence naming most of
    what the claim adds to the question (the answer), then most of all their words, then the
    shortest. When no sentence shares a word with them, the first of `prefer` (sentences
    closest in meaning) that is not a fragment."""
    added = added_words(claim, question)
    wanted = named(claim + " " + question)
    sentences = [passage[a:b] for a, b in split_sentences(passage)] if isinstance(passage, str) else list(passage)
    if not sentences:
        return []
    fragment = [len(words(sentence)) < 4 for sentence in sentences]  # a byline, a dateline
    ranked = sorted(range(len(sentences)), key=lambda i: (
        -_overlap(added, sentences[i]), -_overlap(wanted, sentences[i]), fragment[i], len(sentences[i])))
    if prefer and not _overlap(wanted, sentences[ranked[0]]):  # a vague `--llm none` question
        order = {text: i for i, text in reversed(list(enumerate(prefer)))}
        ranked.sort(key=lambda i: (fragment[i], order.get(sentences[i], len(order))))
        return [sentences[ranked[0]]]
    chosen = [ranked[0]]
    covered = wanted & named(sentences[ranked[0]])
    for i in ranked[1:limit + 2]:
        if len(chosen) >= limit:
            break
        new = (wanted & named(sentences[i])) - covered
        if len(new) >= 2:
            chosen.append(i)
            covered |= new
    return [sentences[i] for i in sorted(chosen)]


def quotes(text: str, passages: Sequence[str | Sequence[str]], question: str = "") -> list[Cited]:
    """One entry per cited passage number, with the sentences that back its claims."""
    by_number: dict[int, list[str]] = {}
    for sentence, numbers in claims(text):
        for n in numbers:
            by_number.setdefault(n, []).append(sentence)
    cited = []
    for n in sorted(by_number):
        claim = " ".join(by_number[n])
        cited.append(Cited(n=n, quote=GAP.join(supporting_sentences(claim, passages[n - 1], question=question))))
    return cited
