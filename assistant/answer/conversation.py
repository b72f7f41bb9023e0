"""Follow-up questions: when a question leans on the conversation, and the conversation as
the condense prompt shows it."""

from __future__ import annotations

import re
from typing import Sequence

from ..types import Turn
from .markers import clean_markers

HISTORY_TURNS = 3
# Words that make a question lean on the conversation ("how many did it kill?").
_REFERRING = set("it its they them their theirs he him his she her hers this that these those there then".split())


def needs_context(question: str) -> bool:
    words = re.findall(r"[a-z']+", question.lower())
    return len(words) < 4 or any(word in _REFERRING for word in words)


def render_history(history: Sequence[Turn]) -> str:
    lines = []
    for turn in history[-HISTORY_TURNS:]:
        lines.append(f"User: {turn.question}")
        lines.append(f"Assistant: {clean_markers(turn.answer, 0)[0]}")
    return "\n".join(lines)
