"""What the indexer reads from a file, folder, feed or URL, without indexing (`assistant extract`)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..errors import UserError
from ..types import Article
from .fetch import is_url
from .files import unsupported_files
from .problems import Problems
from .readers import read_articles


def extract_articles(source: str, problems: Problems, follow: bool = False) -> Iterator[Article]:
    """The articles `assistant index SOURCE` would index, read the same way (a URL is
    fetched without conditional requests: nothing is kept)."""
    if is_url(source):
        from .fetch import client
        from .urls import read_url

        with client() as http:
            yield from read_url(source, follow, http, None, problems)
        return
    path = Path(source).expanduser()
    if not path.exists():
        raise UserError(f"no such file or folder: {source}")
    if odd := unsupported_files(path):
        kinds = sorted({Path(name).suffix or name for name in odd})
        problems(source, f"{len(odd)} file(s) of unsupported type skipped ({', '.join(kinds[:8])})")
    yield from read_articles(path.resolve(), problems)


def as_json(article: Article) -> dict:
    """One line of `extract --json`; `text` is what chunk offsets (start, end) index into."""
    return {"source": article.source, "title": article.title, "published": article.published or None,
            "authors": list(article.authors), "site": article.site, "url": article.url,
            "page_count": len(article.pages) if article.pages else None, "text": article.text}
