"""The refusal sentence, and telling a model's refusal from an answer."""

from __future__ import annotations

import re

REFUSAL = "The indexed articles don't say."
_REFUSALS = re.compile(
    r"(articles?|passages?|sources?|context)\s+(don'?t|do not|does not|doesn'?t)\s+(say|mention|contain|provide|answer|specify)"
    r"|not (mentioned|stated|specified|provided) in the (passages?|articles?)"
    r"|no (information|mention) (about|of|on)",
    re.I,
)


def is_refusal(text: str) -> bool:
    return bool(_REFUSALS.search(text)) or not text.strip()


def plain(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


PLAIN_REFUSAL = plain(REFUSAL)
