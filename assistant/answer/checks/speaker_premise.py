"""Refuses (`misattributed`) a question that asks what someone said ("According to X, ...",
"What did X call ...") when no passage found for it quotes X on what it asks about (a
statement of X's sharing a word of the question's topic); the reply quotes who did speak
about it there."""

from __future__ import annotations

from typing import Sequence

from ...attribute import names
from ...attribute.evidence import speaker_of, statements_of
from ...text.words import content_words, same_word, word_pieces
from ...types import Excerpt, Refusal, Speaker
from .base import Inquiry, Verdict
from .quoting import as_answer

# Words of a question that frame the attribution rather than say what it is about.
_FRAMING = frozenset("according said say says tell told call called describe described think thinks".split())


def topic(question: str, speaker: str) -> list[str]:
    """The question's content word pieces, without the speaker's name and the framing."""
    own = set(names.words(speaker))
    return [w for w in word_pieces(" ".join(content_words(question))) if len(w) > 2 and w not in own and w not in _FRAMING]


def on_topic(text: str, wanted: list[str]) -> bool:
    said = [w for w in word_pieces(" ".join(content_words(text))) if len(w) > 2]
    return any(same_word(a, b) or same_word(b, a) for a in wanted for b in said)


def _who_did(excerpts: Sequence[Excerpt], wanted: list[str]) -> tuple[Excerpt, str, Speaker] | None:
    """The best attributed sentence on the question's topic."""
    for excerpt in excerpts:
        for sentence in excerpt.ranked or excerpt.sentences:
            who = speaker_of(excerpt, sentence)
            if who is not None and on_topic(sentence.text, wanted):
                return excerpt, sentence.text, who
    return None


def check(inquiry: Inquiry) -> Verdict | None:
    asked = inquiry.asked
    if asked is None or asked.kind == "who-said" or not asked.speaker or not inquiry.excerpts:
        return None
    wanted = topic(inquiry.question, asked.speaker)
    theirs = statements_of(inquiry.excerpts, asked.speaker, asked.speaker_kind)
    if any(on_topic(sentence.text, wanted) for _, sentence in theirs) or (theirs and not wanted):
        return None
    found = _who_did(inquiry.excerpts, wanted)
    if found is None:
        return Verdict(Refusal.MISATTRIBUTED, f"None of the passages found for it quotes {asked.speaker} on this.")
    excerpt, sentence, speaker = found
    reason = f"None of the passages found for it quotes {asked.speaker} on this; they quote {speaker.name}: " \
             f"{as_answer(sentence, speaker, excerpt.n)}"
    return Verdict(Refusal.MISATTRIBUTED, reason, ((excerpt.n, sentence),))
