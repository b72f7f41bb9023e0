"""What reaches the screen while the model writes (markers that point nowhere never, a
refusal never half-written), and when the model can stop writing."""

from __future__ import annotations

from typing import Any, Generator, Protocol

from ..text.sentences import split_sentences
from .markers import rewrite_markers
from .refusals import PLAIN_REFUSAL, is_refusal, plain


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


class AnswerEnd:
    """Tells, while the model writes, when everything still to come would be thrown away, so
    generation stops there instead of at the token limit:

    - the text holds a refusal: `is_refusal` stays true whatever follows, and a refusal is
      all that is kept of it;
    - a complete sentence repeats an earlier one word for word: the `loops` check keeps only
      what came before the repeat (the 1.5B model sometimes copies a passage sentence until
      its token limit).

    Only complete sentences are compared (the last one may still grow), so the answer kept
    is the one a full generation would have given."""

    def __init__(self) -> None:
        self.text = ""
        self.reason = ""  # "refusal" or "loop" once it has ended

    def feed(self, piece: str) -> bool:
        """Add what the model wrote; True when the answer has ended."""
        from .checks.loops import repeated

        self.text += piece
        if not self.text.strip():
            return False
        if is_refusal(self.text):
            self.reason = "refusal"
        else:
            complete = split_sentences(self.text)[:-1]
            if complete and repeated(self.text[: complete[-1][1]]) is not None:
                self.reason = "loop"
        return bool(self.reason)


class FirstLine:
    """Ends a reply at its first complete line (the condensed question: only that is used)."""

    def __init__(self) -> None:
        self.text = ""

    def feed(self, piece: str) -> bool:
        self.text += piece
        return "\n" in self.text.strip()


class End(Protocol):
    def feed(self, piece: str) -> bool: ...


def stream_until(model: Any, prompt: Any, end: End) -> Generator[str, None, None]:
    """What a LangChain chat model writes for `prompt`, piece by piece, until `end` says the
    rest would be thrown away (or the caller stops reading). The model is streamed on its
    own, not through a LangChain sequence: closing a sequence's stream reads the model's
    to the end (for tracing), so the server went on writing up to the token limit while
    the client waited. Closing the model's own stream closes the HTTP response, and
    llama.cpp stops generating."""
    stream = model.stream(prompt)
    try:
        for chunk in stream:
            piece = chunk.content if isinstance(chunk.content, str) else ""
            if piece:
                yield piece
                if end.feed(piece):
                    return
    finally:
        stream.close()
