"""Refuses (`name not in passages`) a question naming someone none of the passages
retrieved for it mention in any form (a name of several words by its last one): an
article that never names the subject cannot say what the question asks about it. For a
question about what someone said, only that someone's name counts. Only where a model
would answer; `--llm none` shows them."""

from __future__ import annotations

from typing import Sequence

from ...text.words import question_names, same_word, word_pieces
from ...types import Passage, Refusal
from .base import Inquiry, Verdict


def unmentioned_names(question: str, passages: Sequence[Passage], only: str = "") -> str | None:
    """Names in the question that none of `passages` mention in any form. Deliberately
    lenient (a name may match an unrelated word that starts like it), so it only refuses
    when the retrieved articles are about something else."""
    vocabulary = set(word_pieces(" ".join(f"{p.title} {p.text}" for p in passages)))
    by_start: dict[str, list[str]] = {}
    for word in vocabulary:
        by_start.setdefault(word[:2], []).append(word)

    def mentioned(name: str) -> bool:
        # A name of several words is there when its last one is: a surname ("Nancy Pelosi"),
        # a place's or body's head word ("North Carolina", "Supreme Court").
        for part in word_pieces(name.split()[-1]):
            if len(part) == 1:  # an initial ("U.N."): nothing to compare
                continue
            found: bool
            if len(part) == 2:
                found = bool({part, part + "s"} & vocabulary)
            else:
                found = any(same_word(part, word) for word in by_start.get(part[:2], []))
            if not found:
                return False
        return True

    names = [only] if only else question_names(question, grouped=True)
    missing = [name for name in names if not mentioned(name)]
    if not missing:
        return None
    quoted = ", ".join(f"“{name}”" for name in missing)
    return f"None of the passages found for this question mentions {quoted}."


def check(inquiry: Inquiry) -> Verdict | None:
    if not inquiry.has_model:
        return None
    # A question about what someone said needs that someone; its other names frame it ("at a
    # North Carolina event"), and whether the passages speak to it is the speaker check's to say.
    asked = inquiry.asked
    reason = unmentioned_names(inquiry.question, inquiry.passages, asked.speaker if asked is not None and asked.speaker else "")
    return Verdict(Refusal.NAME_NOT_IN_PASSAGES, reason) if reason else None
