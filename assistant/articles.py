"""Read articles from files and folders: .txt, .md, .html and .jsonl corpora.

Problems are reported to a `Problems` collector; bad items are left out and the rest is read.
"""

from __future__ import annotations

import errno
import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterator

from .text import drop_controls, replace_surrogates

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

# One article larger than this is almost certainly a dump, not an article; it would
# take hours to embed and drown every other source in search results.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024



class Problems:
    """Collects what went wrong with which item, and tells the caller as it happens."""

    def __init__(self, on_warning: Callable[[str, str], None] | None = None) -> None:
        self.warnings: list[tuple[str, str]] = []
        # Files that exist but could not be read this time: what was indexed from them is kept.
        self.unreadable: set[str] = set()
        self._on_warning = on_warning

    def __call__(self, item: str, reason: str) -> None:
        self.warnings.append((item, reason))
        if self._on_warning:
            self._on_warning(item, reason)

    def cannot_read(self, item: str, exc: OSError) -> None:
        self.unreadable.add(item)
        self(item, f"unreadable ({exc.strerror or exc})")


@dataclass(frozen=True)
class Article:
    source: str
    title: str
    text: str
    published: str = ""
    url: str = ""


def normalize_date(value: object) -> str:
    """The day an article was published, as its own timezone saw it: '2022-06-15T10:00Z',
    'June 15, 2022', 'Wed, 15 Jun 2022 23:30:00 -0700', '2022/06/15' -> '2022-06-15'.
    '31/12/2022' -> '2022-12-31'. Anything without a whole date, or with day and month in
    an ambiguous order ('06/07/2022'), -> ''."""
    if not isinstance(value, str):
        return ""
    if match := re.match(r"\s*(\d{4}-\d{2}-\d{2})", value):
        try:
            return date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            return ""
    if match := re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*", value):
        return _numeric_date(*map(int, match.groups()))
    if not (re.search(r"[A-Za-z]{3}", value) or re.match(r"\s*\d{4}\D", value)) or len(value) > 64:
        return ""
    from dateutil import parser

    try:  # parsed twice with different defaults, so a missing year, month or day shows
        # ignoretz: the day as written, and no warning about a zone dateutil does not know ("EDT")
        first, second = (parser.parse(value, default=datetime(2000, 1, 1), ignoretz=True),
                         parser.parse(value, default=datetime(2001, 2, 2), ignoretz=True))
    except (ValueError, OverflowError):
        return ""
    return first.date().isoformat() if first.date() == second.date() else ""


def _numeric_date(first: int, second: int, year: int) -> str:
    """'31/12/2022' and '12/31/2022' are the same day; '06/07/2022' could be either."""
    if first != second and first <= 12 and second <= 12:
        return ""
    month, day = (second, first) if first > 12 else (first, second)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def _walk(root: Path, problems: "Problems | None" = None) -> list[Path]:
    """Every file under `root` outside hidden folders, sorted. A folder that cannot be
    listed, or a link whose target is gone (an unmounted disk), is reported as unreadable,
    so nothing indexed from it counts as deleted. Links are followed after the real files
    and folders, each real one once: an article keeps its real path's name when a link to
    it (or its folder) is added, and a link loop ends."""

    def cannot_read(path: Path, exc: OSError) -> None:
        if problems is not None:
            problems.cannot_read(path.relative_to(root).as_posix() if path != root else str(root), exc)

    found: dict[str, Path] = {}  # by real path: a file linked into the corpus is read once
    linked_files: list[Path] = []
    visited, links = set(), [root]
    while links:
        for folder, dirs, files in os.walk(links.pop(0), onerror=lambda exc: cannot_read(Path(exc.filename), exc)):
            real = os.path.realpath(folder)
            if real in visited:
                dirs[:] = []
                continue
            visited.add(real)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            links += [Path(folder, d) for d in dirs if os.path.islink(Path(folder, d))]
            for name in files:
                path = Path(folder, name)
                if name.startswith("."):
                    continue
                if path.is_symlink():
                    if path.is_file():
                        linked_files.append(path)
                    elif not path.exists() and path.suffix.lower() in SUPPORTED | {""}:  # an article or a folder
                        cannot_read(path, FileNotFoundError(errno.ENOENT, "a link to nothing"))
                elif path.is_file():
                    found[os.path.join(real, name)] = path
    for path in sorted(linked_files):  # after the real files, so these keep their own names
        found.setdefault(os.path.realpath(path), path)
    return sorted(found.values())


def iter_files(root: Path, problems: "Problems | None" = None) -> Iterator[tuple[Path, str]]:
    """(path, source name) for every supported file under `root`, in a stable order."""
    if root.is_file():
        if root.suffix.lower() in SUPPORTED:
            yield root, root.name
        return
    for path in _walk(root, problems):
        if path.suffix.lower() in SUPPORTED:
            yield path, path.relative_to(root).as_posix()


def count_articles(root: Path) -> int:
    """Cheap upper bound for progress bars: files, plus lines of JSONL files."""
    total = 0
    for path, _ in iter_files(root):
        if path.suffix.lower() in JSONL_SUFFIXES:
            try:
                with path.open("rb") as handle:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            except OSError:
                pass
        else:
            total += 1
    return total


def unsupported_files(root: Path) -> list[str]:
    if root.is_file():
        return [] if root.suffix.lower() in SUPPORTED else [root.name]
    return [p.relative_to(root).as_posix() for p in _walk(root) if p.suffix.lower() not in SUPPORTED]


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
        yield from _read_jsonl(path, name, warn)
        return
    raw = _read_bytes(path, name, warn)
    if raw is None:
        return
    text = _decode(raw, name, warn)
    if text is None:
        return
    text = drop_controls(text)  # escape sequences from a hostile page must never reach a terminal
    if suffix in HTML_SUFFIXES:
        article = _from_html(text, name)
    elif suffix in MARKDOWN_SUFFIXES:
        article = _from_markdown(text, name)
    else:
        article = _from_plain_text(text, name)
    if not article.text.strip():
        warn(name, "no text")
        return
    yield article


def _read_bytes(path: Path, name: str, warn: Problems) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            warn(name, f"too large ({size / 1e6:.0f} MB; the limit is {MAX_ARTICLE_BYTES / 1e6:.0f} MB per article)")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        warn.cannot_read(name, exc)
        return None
    if not raw.strip():
        warn(name, "empty file")
        return None
    if b"\x00" in raw[:8192]:
        warn(name, "binary file")
        return None
    return raw


def _decode(raw: bytes, name: str, warn: Problems) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
    # A few stray bytes in a real article are worth keeping; many mean it is not text.
    if text.count("\ufffd") > max(3, len(text) // 100):
        warn(name, "not UTF-8 text")
        return None
    warn(name, "invalid UTF-8 bytes were replaced (file kept)")
    return text


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _from_plain_text(text: str, name: str) -> Article:
    title = _first_line(text)
    body = text.strip()
    # The title travels with every chunk anyway; keep it out of the body.
    body = body[len(title):].strip() if body.startswith(title) else body
    return Article(source=name, title=title[:300], text=body or title)


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def _from_markdown(text: str, name: str) -> Article:
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end():]
    title = meta.get("title") or _first_line(text).lstrip("#").strip()
    body = text.strip()
    first = _first_line(body)
    if first.lstrip("#").strip() == title:
        body = body[len(first):].strip()
    return Article(
        source=name,
        title=title[:300],
        text=body or title,
        published=normalize_date(meta.get("date") or meta.get("published")),
        url=meta.get("url", ""),
    )


_DATE_META = ("article:published_time", "og:published_time", "date", "pubdate", "publishdate", "dc.date",
              "dc.date.issued", "datepublished", "parsely-pub-date", "sailthru.date", "citation_publication_date")


def _json_ld_dates(soup) -> Iterator[str]:
    """`datePublished` of the page's JSON-LD (schema.org NewsArticle), however nested."""
    def walk(node, depth: int = 0) -> Iterator[str]:
        if depth > 8:  # real pages nest a few levels; a hostile one thousands
            return
        if isinstance(node, dict):
            if isinstance(node.get("datePublished"), str):
                yield node["datePublished"]
            for value in node.values():
                yield from walk(value, depth + 1)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value, depth + 1)

    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, RecursionError):
            continue
        yield from walk(data)


def _html_date(soup) -> str:
    """The first date the page states for itself that parses: JSON-LD, meta tags (any
    case), schema.org microdata, then a <time> in the article before one elsewhere (a
    sidebar's)."""
    candidates = list(_json_ld_dates(soup))
    rank = {key: i for i, key in enumerate(_DATE_META)}
    metas = [(rank[key], tag.get("content", "")) for tag in soup.find_all("meta")
             for attr in ("property", "name", "itemprop") if (key := str(tag.get(attr, "")).lower()) in rank]
    candidates += [content for _, content in sorted(metas, key=lambda pair: pair[0])]
    candidates += [tag.get("content") or tag.get("datetime") or "" for tag in soup.find_all(attrs={"itemprop": "datePublished"})]
    article = soup.find("article")
    times = (article.find_all("time", attrs={"datetime": True}) if article else []) + soup.find_all("time", attrs={"datetime": True})
    candidates += [tag["datetime"] for tag in times]
    return next((day for value in candidates if (day := normalize_date(str(value)))), "")


def _from_html(html: str, name: str) -> Article:
    from bs4 import BeautifulSoup  # only paid for when HTML is indexed

    soup = BeautifulSoup(html, "html.parser")
    published = _html_date(soup)  # before the scripts go: JSON-LD is one
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "nav", "footer", "form"]):
        tag.decompose()

    def meta(*keys: str) -> str:
        for key in keys:
            tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
            if tag and tag.get("content"):
                return str(tag["content"]).strip()
        return ""

    heading = soup.find("h1")
    title = meta("og:title") or (soup.title.get_text(strip=True) if soup.title else "")
    title = title or (heading.get_text(" ", strip=True) if heading else "")
    body_root = soup.find("article") or soup.body or soup
    lines = (line.strip() for line in body_root.get_text("\n").splitlines())
    text = "\n\n".join(line for line in lines if line)
    title = title or _first_line(text)
    return Article(
        source=name,
        title=title[:300],
        text=text,
        published=published,
        url=meta("og:url") or (soup.find("link", rel="canonical") or {}).get("href", ""),
    )


def _read_jsonl(path: Path, name: str, warn: Problems) -> Iterator[Article]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        warn.cannot_read(name, exc)
        return
    with handle:
        number = 0
        # Bounded reads: a file with no newline (a dump, a disk image) is never held whole.
        while raw := handle.readline(MAX_ARTICLE_BYTES + 1):
            number += 1
            where = f"{name} line {number}"
            if len(raw) > MAX_ARTICLE_BYTES:
                while raw and not raw.endswith(b"\n"):  # skip the rest of the row
                    raw = handle.readline(1 << 20)
                warn(where, "row too large")
                continue
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                warn(where, f"not valid JSON ({exc})")
                continue
            article = _from_row(row, where, warn)
            if article is not None:
                yield article


def _from_row(row: object, where: str, warn: Problems) -> Article | None:
    if not isinstance(row, dict):
        warn(where, "not a JSON object")
        return None
    # JSON may spell lone surrogates ("\ud800"): no UTF-8 store or hash can take them.
    for key in ("id", "text", "title", "url", "published"):
        value = row.get(key)
        if not isinstance(value, str):
            continue
        if (clean := replace_surrogates(value)) != value:
            warn(where, f"invalid \\u escapes in '{key}' were replaced (row kept)")
        # As in files, no terminal escape sequences; an id is a name, shown safely on its own.
        row[key] = clean if key == "id" else drop_controls(clean)
    source = row.get("id")
    if isinstance(source, int) and not isinstance(source, bool):
        source = str(source)
    if not isinstance(source, str) or not source.strip():
        warn(where, "missing or non-string 'id'")
        return None
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        warn(where, f"id {source}: " + ("no text" if isinstance(text, str) else "missing or non-string 'text'"))
        return None
    fields = {}
    for key in ("title", "url", "published"):
        value = row.get(key)
        if value is not None and not isinstance(value, str):
            warn(where, f"id {source}: '{key}' is not a string (ignored, row kept)")
            value = None
        fields[key] = value or ""
    published = normalize_date(fields["published"])
    if fields["published"] and not published:
        warn(where, f"id {source}: unrecognised date {fields['published']!r} (ignored, row kept)")
    return Article(source=source.strip(), title=fields["title"].strip()[:300], text=text, published=published, url=fields["url"])
