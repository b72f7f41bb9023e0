"""Plain text files: the first line is the title."""

from __future__ import annotations

from ..types import Article


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def from_plain_text(text: str, name: str) -> Article:
    title = first_line(text)
    body = text.strip()
    # The title travels with every chunk anyway; keep it out of the body.
    body = body[len(title):].strip() if body.startswith(title) else body
    return Article(source=name, title=title[:300], text=body or title)
