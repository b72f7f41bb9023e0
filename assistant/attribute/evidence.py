"""Speakers on the excerpts an answer is drawn from: who says each sentence, whose
statements an excerpt holds, and the excerpt as the model reads it, each statement
labelled with its speaker.

The parse costs a second or two to load and a fraction of a second per answer, so it runs
only where someone's words are at stake: a question or an answer that attributes.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from ..text.safe import drop_controls
from ..types import Excerpt, Sentence, Speaker
from .names import matches
from .parse import SPEECH_VERBS
from .speakers import speakers

LEFT_OUT = 4  # characters between two sentences beyond which a part of the article was left out
_IRREGULAR = "said says told tells wrote written thought spoke spoken according quoted".split()


def _forms(verb: str) -> set[str]:
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", stem + "ed", stem + "ing", verb + "d"}
    if verb.endswith("y"):
        forms |= {verb[:-1] + "ied", verb[:-1] + "ies"}
    return forms


# Any form of a speech verb: the cheap test of whether a text attributes anything.
_ATTRIBUTIVE = re.compile(r"\b(?:" + "|".join(sorted({f for v in SPEECH_VERBS for f in _forms(v)} | set(_IRREGULAR))) + r")\b",
                          re.IGNORECASE)


def looks_attributive(text: str) -> bool:
    """Whether `text` uses a speech verb or "according to": only then is it parsed."""
    return _ATTRIBUTIVE.search(text) is not None


def attribute(excerpts: Iterable[Excerpt]) -> None:
    """Fill in each excerpt's `speakers` (once): the article's sentences in order."""
    for excerpt in excerpts:
        if excerpt.speakers is None:
            sentences = excerpt.sentences
            gaps = frozenset(i for i in range(1, len(sentences))
                             if sentences[i].start - (sentences[i - 1].start + len(sentences[i - 1].text)) > LEFT_OUT)
            found = speakers(excerpt.sentence_texts, gaps)
            excerpt.speakers = {s.start: who for s, who in zip(excerpt.sentences, found) if who is not None}


def speaker_of(excerpt: Excerpt, sentence: Sentence | str) -> Speaker | None:
    if isinstance(sentence, str):
        found = next((s for s in excerpt.sentences if s.text == sentence), None)
        if found is None:
            return None
        sentence = found
    return (excerpt.speakers or {}).get(sentence.start)


def statements_of(excerpts: Sequence[Excerpt], name: str, kind: str) -> list[tuple[Excerpt, Sentence]]:
    """The sentences whose speaker is `name`, best first (the excerpts' order, and within
    each, closest to the question when it was focused)."""
    found = []
    for excerpt in excerpts:
        order = excerpt.ranked or excerpt.sentences
        for sentence in order:
            who = (excerpt.speakers or {}).get(sentence.start)
            if who is not None and matches(name, kind, who):
                found.append((excerpt, sentence))
    return found


def _theirs_or_beside(excerpt: Excerpt, only: tuple[str, str]) -> set[int]:
    """Starts of the sentences `only` says, and of the unattributed ones right before or
    after them (a figure told next to their words, a quotation whose speaker was missed)."""
    said = excerpt.speakers or {}
    sentences = excerpt.sentences
    theirs = [i for i, s in enumerate(sentences) if (who := said.get(s.start)) is not None and matches(only[0], only[1], who)]
    keep = {sentences[i].start for i in theirs}
    for i in theirs:
        keep |= {sentences[j].start for j in (i - 1, i + 1) if 0 <= j < len(sentences) and sentences[j].start not in said}
    return keep


def labelled_text(excerpt: Excerpt, template: str, only: tuple[str, str] | None = None) -> str:
    """The focused text with each attributed sentence written through `template`
    (`{speaker}` and `{sentence}`), the others as they are. With `only` (a name and its
    kind), just that speaker's statements and the unattributed sentences beside them:
    the model can quote no one else."""
    parts: list[str] = []
    previous = None
    kept = _theirs_or_beside(excerpt, only) if only is not None else None
    for sentence in excerpt.shown:
        who = (excerpt.speakers or {}).get(sentence.start)
        if kept is not None and sentence.start not in kept:
            continue
        text = template.format(speaker=drop_controls(who.name), sentence=sentence.text) if who else sentence.text
        gap = previous is not None and sentence.start - (previous.start + len(previous.text)) > LEFT_OUT
        parts.append((" … " if gap else " ") + text if parts else text)
        previous = sentence
    return "".join(parts)
