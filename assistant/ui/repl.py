"""`assistant chat`: an interactive loop over the answer chain.

Every /command is one `cmd_<name>` method, so adding one is adding a method. Input
history persists across sessions; Esc then Enter inserts a new line. When stdin is not
a terminal, each line is one question (or /command), echoed after "› ", and answers are
printed plainly.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import IO, Iterable, Iterator

from rich.console import Console

from ..config import MAX_QUESTION, data_dir
from ..errors import BackendError, UserError
from ..text.safe import replace_surrogates
from ..types import Answer, Turn
from . import render
from .render import escape


class Repl:
    def __init__(self, answerer, as_of: date | None = None, console: Console = render.out) -> None:
        self.answerer = answerer
        self.as_of = as_of
        self.console = console
        self.history: list[Turn] = []
        self.last: Answer | None = None
        self.failed = 0  # exit code of the last question that failed, for scripts

    def run(self) -> int:
        """Chat until /quit or end of input; returns an exit code (non-zero when piped
        questions failed, so a script can tell)."""
        if sys.stdin.isatty():
            with render.status("Loading the model…"):
                self.answerer.load_model()  # before the prompt, not after the first question
            self._interactive()
            return 0
        self._scripted(_bounded_lines(sys.stdin))
        return self.failed

    def _interactive(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.key_binding import KeyBindings

        bindings = KeyBindings()

        @bindings.add("enter")
        def _(event) -> None:
            event.current_buffer.validate_and_handle()

        @bindings.add("escape", "enter")
        def _(event) -> None:
            event.current_buffer.insert_text("\n")

        data_dir().mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(
            history=FileHistory(str(data_dir() / "chat_history")), multiline=True, key_bindings=bindings,
            prompt_continuation="… ",
        )
        self.console.print("Ask about the indexed articles. [dim]/help for commands, /quit to leave.[/]")
        while True:
            try:
                text = session.prompt("› ")
            except KeyboardInterrupt:
                continue
            except EOFError:
                break
            if not self.handle(text):
                break

    def _scripted(self, lines: Iterable[str | int]) -> None:
        for line in lines:
            if isinstance(line, int):  # a line too long to read whole: neither echoed nor asked
                self._too_long(line)
                continue
            text = _clean(line)
            if text:  # echoed, so a transcript shows which answer is whose
                render.line(self.console, f"› {escape(text)}")
            if not self.handle(text):
                break

    def handle(self, text: str) -> bool:
        """Run one line of input; False means leave."""
        text = _clean(text)
        if not text:
            return True
        if len(text) > MAX_QUESTION:
            self._too_long(len(text))
            return True
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            command = getattr(self, f"cmd_{name.lower()}", None)
            if command is None:
                self.console.print(f"Unknown command /{escape(name)}. Try /help.")
                return True
            return command(argument.strip()) is not False
        self.ask(text)
        return True

    def ask(self, question: str) -> None:
        stream = self.console.is_terminal
        try:
            with render.LiveAnswer(self.console, enabled=stream) as live:
                result = self.answerer.ask(question, history=self.history, as_of=self.as_of,
                                           on_token=live.feed if stream else None,
                                           on_evidence=live.evidence if stream else None)
        except KeyboardInterrupt:
            self.console.print("[dim](stopped)[/]")
            return
        except BackendError as exc:
            render.error(str(exc))
            self.failed = exc.exit_code
            return
        if result.standalone and result.standalone != question:
            render.line(self.console, f"[dim]({escape(result.standalone)})[/]")
        render.answer(result, self.console)
        self.console.print()
        self.history.append(Turn(question, result.answer, tuple(c.chunk_id for c in result.primary_citations)))
        self.last = result

    def _too_long(self, length: int) -> None:
        render.error(f"the question is too long ({length:,} characters; the limit is {MAX_QUESTION:,})")
        self.failed = UserError.exit_code

    def cmd_help(self, _: str = "") -> None:
        """Show the commands."""
        if sys.stdin.isatty():
            self.console.print("Type a question and press Enter (Esc then Enter for a new line).")
        else:
            self.console.print("One question per line.")
        for name in sorted(n[4:] for n in dir(self) if n.startswith("cmd_")):
            render.line(self.console, f"  /{name:<8} {getattr(self, 'cmd_' + name).__doc__}")

    def cmd_sources(self, _: str = "") -> None:
        """Show the full passages behind the last answer."""
        if self.last is None or not self.last.excerpts:
            self.console.print("No answer yet.")
            return
        cited = {c.n for c in self.last.citations}
        if not cited:  # a refusal: show what was read, but not as if it backed the answer
            self.console.print("The last answer cited no passage. These were retrieved for it:")
        render.excerpts([e for e in self.last.excerpts if e.n in cited] or self.last.excerpts, self.console, self.last.citations)

    def cmd_quotes(self, topic: str = "") -> None:
        """Who said what about a topic: /quotes TOPIC (no model; grouped by speaker)."""
        from ..attribute.statements import quotes

        if not topic:
            self.console.print("Usage: /quotes TOPIC")
            return
        render.speeches(quotes(self.answerer.retriever, topic), self.console)

    def cmd_reset(self, _: str = "") -> None:
        """Forget the conversation (follow-ups start afresh)."""
        self.history.clear()
        self.last = None
        self.console.print("Conversation cleared.")

    def cmd_quit(self, _: str = "") -> bool:
        """Leave."""
        return False

    cmd_exit = cmd_quit


def _bounded_lines(stream: IO[str], limit: int = MAX_QUESTION + 64) -> Iterator[str | int]:
    """The lines of `stream`, read in pieces of at most `limit` characters, so a line of
    megabytes (or one with no newline at all) never sits in memory: such a line is
    skipped, and its length is yielded instead."""
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        length = len(line)
        while line and not line.endswith("\n"):
            line = stream.readline(1 << 16)
            length += len(line)
        yield length - line.endswith("\n")


def _clean(text: str) -> str:
    return replace_surrogates(text).lstrip("\ufeff").strip()  # bad bytes, a byte-order mark
