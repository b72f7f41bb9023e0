"""The checks an answer passes, as two ordered lists.

`BEFORE_MODEL` look at the question and its passages: the first that finds the articles
cannot answer refuses, and the model is never called. `AFTER_MODEL` run in order on the
model's answer (a `Draft`): each rewrites it or refuses it, which ends the run. Each check
is one module whose docstring says what it refuses or rewrites; adding one is a module
here and a line in a list.
"""

from __future__ import annotations

from ...types import Refusal
from . import (
    attribution,
    corroboration,
    counts,
    freshness,
    loops,
    numbers,
    obeyed,
    passage_talk,
    premise,
    pruning,
    quoted,
    relevance,
    speaker_premise,
    uncited,
    unknown_names,
    unmentioned_names,
    valid_markers,
)
from .base import After, Before, Draft, Inquiry, Verdict

BEFORE_MODEL: tuple[Before, ...] = (
    relevance.check,  # no relevant passage
    unknown_names.check,  # unknown name
    unmentioned_names.check,  # name not in passages
    freshness.check,  # out of date
    speaker_premise.check,  # misattributed: "According to X" when no passage quotes X
)

AFTER_MODEL: tuple[After, ...] = (
    loops.cut,  # a sentence repeated word for word: what came before it
    valid_markers.clean,  # markers pointing at no passage go
    passage_talk.rewrite,  # "according to passage 2" becomes [2]
    obeyed.drop,  # sentences resting only on passage sentences that give orders go; planted instruction
    numbers.check,  # unsupported number
    counts.check,  # unsupported count
    uncited.mark_or_drop,  # every sentence shown is cited: unmarked ones get their passage's marker or go
    premise.lead,  # the answer first: an opening that only repeats the question goes
    pruning.prune,  # ... and cites only passages that name what it adds to the question
    corroboration.cite,  # the direct answer also cites the other passages naming it
    quoted.cite,  # quotes for each cited passage; uncited
    attribution.check,  # misattributed: a statement put in the wrong mouth, corrected from the evidence or refused
)


def before_model(inquiry: Inquiry) -> Verdict | None:
    """The first refusal of `BEFORE_MODEL`, or None if the articles might answer."""
    for check in BEFORE_MODEL:
        if (verdict := check(inquiry)) is not None:
            return verdict
    return None


def after_model(draft: Draft) -> Draft:
    """`draft` through `AFTER_MODEL`, up to the first refusal."""
    for check in AFTER_MODEL:
        check(draft)
        if draft.refused_by is not None:
            break
    return draft


__all__ = ["AFTER_MODEL", "BEFORE_MODEL", "Draft", "Inquiry", "Refusal", "Verdict", "after_model", "before_model"]
