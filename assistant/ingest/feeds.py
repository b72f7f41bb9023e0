"""RSS and Atom feeds (feedparser): each entry is an article with its title, link, date,
authors and its full content when the feed carries it (content:encoded, else the summary).

An entry's source is its link (else its id, else FEED#N), so the same story read from a
feed file, a feed URL or its own page keeps one name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..text.safe import drop_controls
from ..types import Article
from .dates import normalize_date
from .html import fragment_text
from .problems import Problems


@dataclass
class Feed:
    title: str
    entries: list[Article] = field(default_factory=list)  # text "" when the feed carries none
    problem: str = ""  # malformed XML that feedparser read past


def looks_like_feed(raw: bytes) -> bool:
    """An RSS or Atom document (or RDF), by its first element, not by its file name."""
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    while head.startswith((b"<?", b"<!--", b"<!doctype")):
        end = head.find(b">")
        if end < 0:
            return False
        head = head[end + 1:].lstrip()
    return head.startswith((b"<rss", b"<feed", b"<rdf:rdf", b"<rdf"))


def parse_feed(raw: bytes, name: str) -> Feed | None:
    """The feed's entries, or None when `raw` is not a feed at all."""
    import feedparser

    parsed = feedparser.parse(raw, sanitize_html=True, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        return None
    problem = ""
    exc = parsed.get("bozo_exception")
    if parsed.get("bozo") and exc is not None and not isinstance(exc, feedparser.CharacterEncodingOverride):
        problem = f"malformed feed ({' '.join(str(exc).split())[:200]})"
    site = drop_controls(parsed.feed.get("title", "") or "").strip()
    feed = Feed(title=site, problem=problem)
    for number, entry in enumerate(parsed.entries, start=1):
        feed.entries.append(_entry(entry, number, name, site))
    return feed


def _entry(entry, number: int, name: str, site: str) -> Article:
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    html = max(contents, key=len) if contents else entry.get("summary", "") or ""
    text = drop_controls(fragment_text(html)) if html.strip() else ""
    link = (entry.get("link") or "").strip()
    source = link or (entry.get("id") or "").strip() or f"{name}#{number}"
    title = drop_controls(fragment_text(entry.get("title", "") or "")).replace("\n", " ").strip()
    authors = [a.get("name", "") for a in entry.get("authors", []) if isinstance(a, dict)] or [entry.get("author", "")]
    return Article(
        source=drop_controls(source),
        title=title[:300],
        text=text,
        published=_date(entry),
        url=drop_controls(link),
        authors=tuple(drop_controls(a).strip() for a in authors if a and a.strip())[:20],
        site=site[:200],
    )


def _date(entry) -> str:
    """The day as the feed wrote it; feedparser's own parse (in UTC) only when that fails."""
    for key in ("published", "updated", "created"):
        if day := normalize_date(entry.get(key)):
            return day
    for key in ("published_parsed", "updated_parsed"):
        if parsed := entry.get(key):
            try:
                return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
            except ValueError:
                continue
    return ""


def read_feed(raw: bytes, name: str, warn: Problems) -> list[Article]:
    """The articles of a feed file: entries without text are warned about and left out
    (in a malformed feed, the one warning about it says how many were kept)."""
    feed = parse_feed(raw, name)
    if feed is None:
        warn(name, "not an RSS or Atom feed")
        return []
    kept = [article for article in feed.entries if article.text.strip()]
    if feed.problem:
        warn(name, f"{feed.problem}; the {len(kept)} entries with text are kept")
        return kept
    for article in feed.entries:
        if not article.text.strip():
            warn(f"{name}: {article.source}", "no text in the feed (index the feed's URL with --follow to read its pages)")
    if not feed.entries:
        warn(name, "the feed has no entries")
    return kept
