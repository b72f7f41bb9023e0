"""Read articles from files and folders: one reader per format, chosen by suffix.

Problems are reported to a `Problems` collector; bad items are left out and the rest is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..text.safe import drop_controls
from ..types import Article
from .files import (
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    MARKDOWN_SUFFIXES,
    decode,
    iter_files,
    read_bytes,
)
from .html import from_html
from .jsonl import read_jsonl
from .markdown import from_markdown
from .plain import from_plain_text
from .problems import Problems


def read_articles(root: Path, warn: Problems) -> Iterator[Article]:
    """Every article under `root` (a folder or a single file)."""
    seen: set[str] = set()
    for path, name in iter_files(root, warn):
        for article in _read_file(path, name, warn):
            if article.source in seen:
                warn(article.source, f"duplicate id in {name}; the first one is kept")
                continue
            seen.add(article.source)
            yield article


def _read_file(path: Path, name: str, warn: Problems) -> Iterator[Article]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, name, warn)
        return
    raw = read_bytes(path, name, warn)
    if raw is None:
        return
    text = decode(raw, name, warn)
    if text is None:
        return
    text = drop_controls(text)  # escape sequences from a hostile page must never reach a terminal
    if suffix in HTML_SUFFIXES:
        article = from_html(text, name)
    elif suffix in MARKDOWN_SUFFIXES:
        article = from_markdown(text, name)
    else:
        article = from_plain_text(text, name)
    if not article.text.strip():
        warn(name, "no text")
        return
    yield article
