"""Read articles from files and folders: one reader per format, chosen by suffix.

Problems are reported to a `Problems` collector; bad items are left out and the rest is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..text.safe import drop_controls
from ..types import Article
from .files import (
    FEED_SUFFIXES,
    HTML_SUFFIXES,
    JSONL_SUFFIXES,
    MARKDOWN_SUFFIXES,
    MAX_ARTICLE_BYTES,
    MAX_PDF_BYTES,
    PDF_SUFFIXES,
    decode,
    iter_files,
    read_bytes,
)
from .jsonl import read_jsonl
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
    raw = read_bytes(path, name, warn, limit=MAX_PDF_BYTES if suffix in PDF_SUFFIXES else MAX_ARTICLE_BYTES)
    if raw is not None:
        yield from read_document(raw, name, suffix, warn)


def read_document(raw: bytes, name: str, kind: str, warn: Problems, url: str = "") -> Iterator[Article]:
    """The articles in one file's (or one download's) bytes; `kind` is a file suffix
    (.html, .pdf, .rss, ...). Readers are imported when their format is met."""
    if kind in PDF_SUFFIXES:
        from .pdf import read_pdf

        if (pdf := read_pdf(raw, name, warn)) is not None:
            yield pdf
        return
    if kind in FEED_SUFFIXES:
        from .feeds import read_feed

        yield from read_feed(raw, name, warn)
        return
    text = decode(raw, name, warn)
    if text is None:
        return
    text = drop_controls(text)  # escape sequences from a hostile page must never reach a terminal
    if kind in HTML_SUFFIXES:
        from .html import from_html

        article = from_html(text, name, url=url)
    elif kind in MARKDOWN_SUFFIXES:
        from .markdown import from_markdown

        article = from_markdown(text, name)
    else:
        from .plain import from_plain_text

        article = from_plain_text(text, name)
    if not article.text.strip():
        warn(name, "no article text" if kind in HTML_SUFFIXES else "no text")
        return
    yield article
