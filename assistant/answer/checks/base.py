"""What the checks read and write: an `Inquiry` before the model, a `Draft` after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, NamedTuple, Optional, Sequence

from ...types import Excerpt, Passage, Refusal


class Verdict(NamedTuple):
    """A refusal decided before the model: why, a reason for the user, and the passages
    the reply quotes (who did say what the question asks about)."""

    refusal: Refusal
    reason: str = ""
    cited: tuple[tuple[int, str], ...] = ()  # (passage number, quote)


@dataclass(frozen=True)
class Inquiry:
    """A question and what retrieval found for it, before the model is asked."""

    question: str  # standalone
    passages: Sequence[Passage]
    as_of: date | None
    lexical: Any  # store.lexical.LexicalIndex: what the whole index mentions
    has_model: bool
    excerpts: Sequence[Excerpt] = ()
    asked: Any = None  # attribute.questions.Asked: the speaker the question asks about


@dataclass
class Draft:
    """The model's answer on its way through the checks after the model. Each check
    rewrites `text` or refuses (`refuse`), which ends the run."""

    raw: str
    excerpts: list[Excerpt]
    question: str  # standalone
    today: str  # ISO date
    corroborate: bool = True  # cite other passages naming the answer (not when vouching for a second look)
    text: str = ""
    dropped_markers: int = 0  # pointed at no passage
    markers_before_pruning: int = 0
    markers_kept: int = 0  # after pruning, before corroboration
    own_markers: set[int] = field(default_factory=set)  # passage numbers cited before corroboration
    cited: list = field(default_factory=list)  # quotes.Cited, one per cited passage
    refused_by: Refusal | None = None
    reply: str = ""  # what a refusal says beyond the refusal sentence (who did say it)
    corrected_by: Refusal | None = None  # a check that rewrote the answer from the evidence
    asked: Any = None  # attribute.questions.Asked, when the question asks about a speaker

    def __post_init__(self) -> None:
        self.text = self.text or self.raw

    def refuse(self, refusal: Refusal) -> None:
        self.refused_by = refusal

    @property
    def full_texts(self) -> list[str]:
        return [e.full_text for e in self.excerpts]

    @property
    def titled_texts(self) -> list[str]:
        return [e.titled_text for e in self.excerpts]


Before = Callable[[Inquiry], Optional[Verdict]]
After = Callable[[Draft], None]
