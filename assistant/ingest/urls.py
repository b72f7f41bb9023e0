"""Articles from a URL: a page (or PDF, or text) is one article whose source is its URL;
a feed gives its entries, and with --follow the pages they link to.

Every fetch is conditional when a copy is kept (`fetched.py`): an unchanged page costs a
304 and its article comes from the copy, so nothing is re-embedded. A URL that fails keeps
its copy (said in a warning), or, with none, counts as unreadable so nothing indexed from
its root is deleted. A feed root keeps every article it ever gave: stories scroll off a
feed, and they stay indexed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator

from ..types import Article
from .feeds import parse_feed
from .fetch import Download, FetchError, fetch, is_url
from .fetched import Fetched
from .files import FEED_SUFFIXES
from .problems import Problems
from .readers import read_document


@dataclass
class FetchCounts:
    fetched: int = 0  # sent back whole (new or changed)
    not_modified: int = 0  # 304: the kept copy is current
    failed: int = 0


def read_url(root: str, follow: bool, http, store: Fetched | None, warn: Problems,
             counts: FetchCounts | None = None) -> Iterator[Article]:
    counts = counts or FetchCounts()
    download = _get(root, http, store, warn, counts)
    if download is None:
        return
    if download.kind not in FEED_SUFFIXES:
        yield from read_document(download.body, root, download.kind, warn, url=download.final_url)
        return
    feed = parse_feed(download.body, root)
    if feed is None:
        warn(root, "not an RSS or Atom feed")
        return
    if feed.problem:
        warn(root, f"{feed.problem}; the entries read are kept")
    kept = store.entries(root) if store else {}
    current: list[Article] = []
    for entry in feed.entries:
        article = _followed(entry, http, store, warn, counts) if follow and is_url(entry.url) else entry
        if article is None:  # its page failed: what was indexed from it, else the feed's own text
            article = kept.get(entry.source) or (entry if entry.text.strip() else None)
            if article is None:  # nothing at all: counts as unreadable, so nothing is deleted this run
                warn.unreadable.add(entry.source)
                continue
        if not article.text.strip():
            if not feed.problem:  # a malformed feed's cut-off entry is what its one warning is about
                warn(entry.source, "no text in the feed (index the feed with --follow to read its pages)")
            continue
        current.append(article)
    if store:
        store.keep_entries(root, current)
    names = {a.source for a in current}
    yield from current
    yield from (article for source, article in kept.items() if source not in names)


def _followed(entry: Article, http, store: Fetched | None, warn: Problems, counts: FetchCounts) -> Article | None:
    """The entry's own page, with the feed's metadata where the page has none; the feed's
    text when the page has no article text."""
    page = _get(entry.url, http, store, warn, counts)
    if page is None:
        return None
    quiet = Problems()
    found = next(iter(read_document(page.body, entry.source, page.kind, quiet, url=page.final_url)), None)
    if found is None:
        if entry.text.strip():
            return entry
        for item, reason in quiet.warnings:
            warn(item, reason)
        return None
    return replace(found, title=found.title if found.title and found.title != entry.source else entry.title,
                   published=entry.published or found.published, authors=found.authors or entry.authors,
                   site=found.site or entry.site, url=found.url or entry.url)


def _get(url: str, http, store: Fetched | None, warn: Problems, counts: FetchCounts) -> Download | None:
    stored = store.copy(url) if store else None
    try:
        download = fetch(http, url, stored.etag if stored else "", stored.last_modified if stored else "")
    except FetchError as exc:
        counts.failed += 1
        if stored is not None and store is not None:
            warn(url, f"{exc}; the copy fetched on {store.fetched_on(url)} is kept")
            return stored
        warn.unreadable.add(url)
        warn(url, str(exc))
        return None
    if download.status == 304:
        counts.not_modified += 1
        if stored is not None:
            return stored
        warn(url, "the server answered 304 Not Modified to a plain request")
        return None
    counts.fetched += 1
    if store is not None:
        store.keep(download)
    return download
