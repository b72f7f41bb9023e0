"""What reaches the screen while the model writes: markers that point nowhere never, a
refusal never half-written."""

from __future__ import annotations

from .markers import rewrite_markers
from .refusals import PLAIN_REFUSAL, plain


class MarkerFilter:
    """Streams text while holding back a possible marker until it is complete, so
    markers that point at no passage never reach the screen."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.pending = ""

    def feed(self, token: str) -> str:
        self.pending += token
        start = self.pending.rfind("[")
        if start == -1:
            out, self.pending = self.pending, ""
            return out
        if "]" in self.pending[start:] or len(self.pending) - start > 16:
            out, self.pending = self._clean(self.pending), ""
            return out
        while start > 0 and self.pending[start - 1] in " \t":  # a dropped marker takes its space along
            start -= 1
        out, self.pending = self._clean(self.pending[:start]), self.pending[start:]
        return out

    def flush(self) -> str:
        out, self.pending = self._clean(self.pending), ""
        return out

    def _clean(self, text: str) -> str:
        return rewrite_markers(text, self.count)[0]


class RefusalHold:
    """Holds streamed text back while it could still be the refusal sentence, and for good
    once it starts with it, so a refusal is never shown half-written and a second look can
    replace it unseen."""

    def __init__(self) -> None:
        self.pending = ""
        self.released = False

    def feed(self, text: str) -> str:
        if self.released:
            return text
        self.pending += text
        said = plain(self.pending)
        if PLAIN_REFUSAL.startswith(said) or said.startswith(PLAIN_REFUSAL):
            return ""
        self.released = True
        out, self.pending = self.pending, ""
        return out
