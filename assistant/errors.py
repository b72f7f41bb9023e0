"""Errors the user can act on. The CLI prints them as one line and exits with `exit_code`."""

from __future__ import annotations


class UserError(Exception):
    """A problem with input, configuration or environment, not a bug."""

    exit_code = 2


class NoIndexError(UserError):
    exit_code = 3


class IndexBusyError(UserError):
    """Another process holds the index lock."""

    exit_code = 4


class IndexMismatchError(UserError):
    """The index was built with a different embedding model or schema."""

    exit_code = 5


class BackendError(UserError):
    """A Chroma server or LLM endpoint is down, slow, or refuses us."""

    exit_code = 6


class IndexDamagedError(UserError):
    """A file of the index is damaged (truncated, overwritten): only a rebuild helps."""

    exit_code = 7

    def __init__(self, where: object, what: str, hint: str = "run `assistant index --rebuild`") -> None:
        self.where, self.what = str(where), what
        super().__init__(f"the index at {where} is damaged ({what}); {hint}")


class NoSpaceError(UserError):
    """The disk holding the index (or another folder the command writes) is full."""

    exit_code = 8

    def __init__(self, where: object, detail: str = "") -> None:
        self.where = str(where)
        super().__init__(f"no space left on {where}{f' ({detail})' if detail else ''}; free some space and run the command again")


class Terminated(BaseException):
    """SIGTERM: unwinds like Ctrl-C (locks released, `finally` blocks run), but is not
    caught where Ctrl-C only stops the current answer (the chat loop)."""


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception's message on one line, for an error the user reads: its own words,
    or its type's name when it has none."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:limit]
