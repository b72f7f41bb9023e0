"""Speakers on the excerpts an answer is drawn from: who says each sentence, whose
statements an excerpt holds, and the excerpt as the model reads it, each statement
labelled with its speaker.

The parse costs a second or two to load and a fraction of a second per answer, so it runs
only where someone's words are at stake: a question or an answer that attributes.
"""

from __future__ import annotations

import os  # noqa: E402  (experiment switch, removed after measuring)
import re
from typing import Iterable, Sequence

from ..text.safe import drop_controls
from ..types import Excerpt, Sentence, Speaker
from .names import matches
from .parse import SPEECH_VERBS
from .speakers import speakers

_STRICT = os.environ.get("ASSISTANT_SPEAKER_VARIANT") == "strict"
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
            found = speakers(excerpt.sentence_texts)
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


def labelled_text(excerpt: Excerpt, template: str, only: tuple[str, str] | None = None) -> str:
    """The focused text with each attributed sentence written through `template`
    (`{speaker}` and `{sentence}`), the others as they are. With `only` (a name and its
    kind), other speakers' statements are left out: the model can quote no one else."""
    parts: list[str] = []
    previous = None
    for sentence in excerpt.shown:
        who = (excerpt.speakers or {}).get(sentence.start)
        if only is not None and who is not None and not matches(only[0], only[1], who):
            continue
        if only is not None and who is None and _STRICT:
            continue
        text = template.format(speaker=drop_controls(who.name), sentence=sentence.text) if who else sentence.text
        gap = previous is not None and sentence.start - (previous.start + len(previous.text)) > 4
        parts.append((" … " if gap else " ") + text if parts else text)
        previous = sentence
    return "".join(parts)
