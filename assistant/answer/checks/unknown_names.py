"""Refuses (`unknown name`) a question naming someone or something (a capitalised word)
that no indexed article mentions at all: a small model would answer from whatever is
closest."""

from __future__ import annotations

from ...text.words import question_names
from ...types import Refusal
from .base import Inquiry, Verdict


def unknown_names(question: str, lexical) -> str | None:
    missing = [name for name in question_names(question) if not lexical.mentions(name)]
    if not missing:
        return None
    quoted = ", ".join(f"“{name}”" for name in missing)
    return f"No indexed article mentions {quoted}."


def check(inquiry: Inquiry) -> Verdict | None:
    reason = unknown_names(inquiry.question, inquiry.lexical)
    return Verdict(Refusal.UNKNOWN_NAME, reason) if reason else None
