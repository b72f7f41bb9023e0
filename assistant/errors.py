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


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception's message on one line, for an error the user reads: its own words,
    or its type's name when it has none."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:limit]
