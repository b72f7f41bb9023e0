"""Refuses (`name not in passages`) a question naming someone none of the passages
retrieved for it mention in any form: an article that never names the subject cannot say
what the question asks about it. Only where a model would answer; `--llm none` shows them."""

from __future__ import annotations

from typing import Sequence

from ...text.words import question_names, same_word, word_pieces
from ...types import Passage, Refusal
from .base import Inquiry, Verdict


def unmentioned_names(question: str, passages: Sequence[Passage]) -> str | None:
    """Names in the question that none of `passages` mention in any form. Deliberately
    lenient (a name may match an unrelated word that starts like it), so it only refuses
    when the retrieved articles are about something else."""
    vocabulary = set(word_pieces(" ".join(f"{p.title} {p.text}" for p in passages)))
    by_start: dict[str, list[str]] = {}
    for word in vocabulary:
        by_start.setdefault(word[:2], []).append(word)

    def mentioned(name: str) -> bool:
        for part in word_pieces(name):
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

    missing = [name for name in question_names(question) if not mentioned(name)]
    if not missing:
        return None
    quoted = ", ".join(f"“{name}”" for name in missing)
    return f"None of the passages found for this question mentions {quoted}."


def check(inquiry: Inquiry) -> Verdict:
    if not inquiry.has_model:
        return None
    reason = unmentioned_names(inquiry.question, inquiry.passages)
    return (Refusal.NAME_NOT_IN_PASSAGES, reason) if reason else None
