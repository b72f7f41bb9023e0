"""Fetching pages, feeds and PDFs over HTTP(S) with httpx: timeouts (connect, read and a
whole-request deadline, so a server that drips bytes cannot hold a run), a size cap, a
content-type check, a redirect limit, a clear User-Agent, and conditional requests
(ETag, Last-Modified). Every failure is a `FetchError` whose message is one line naming
the cause; the caller names the URL."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from ..errors import UserError
from .feeds import looks_like_feed
from .files import MAX_ARTICLE_BYTES, MAX_PDF_BYTES, size_text

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 20.0  # seconds for one whole request; ASSISTANT_FETCH_TIMEOUT changes it

# Content type -> the reader (as a file suffix). Anything else is refused before its body is read.
KINDS = {
    "text/html": ".html", "application/xhtml+xml": ".html",
    "application/rss+xml": ".rss", "application/atom+xml": ".atom", "application/rdf+xml": ".rss",
    "application/xml": ".xml", "text/xml": ".xml", "application/x-rss+xml": ".rss",
    "application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
}


class FetchError(Exception):
    """A URL that could not be fetched; str() is the cause, in one line."""


@dataclass(frozen=True)
class Download:
    url: str  # as asked
    final_url: str  # after redirects
    status: int  # 200, or 304 when the stored copy is still current
    kind: str  # the reader's suffix: .html, .rss, .pdf ...
    body: bytes
    etag: str = ""
    last_modified: str = ""


def is_url(value: object) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("news-assistant")
    except PackageNotFoundError:
        mine = "dev"
    return f"news-assistant/{mine} (a news reader indexing articles for offline questions; python-httpx)"


def timeout_seconds() -> float:
    raw = os.environ.get("ASSISTANT_FETCH_TIMEOUT", "")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 < value < 3600:
        raise UserError(f"ASSISTANT_FETCH_TIMEOUT must be a positive number of seconds, not {raw!r}")
    return value


def client():
    import httpx

    seconds = timeout_seconds()
    return httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=httpx.Timeout(seconds),
                        headers={"User-Agent": user_agent(), "Accept": ", ".join(KINDS) + ";q=0.9, */*;q=0.1"})


def fetch(http, url: str, etag: str = "", last_modified: str = "") -> Download:
    """One GET; with `etag`/`last_modified` a conditional one (status 304: nothing sent back)."""
    import httpx

    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout_seconds()
    try:
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return Download(url, str(response.url), 304, "", b"", etag, last_modified)
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
            declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
            kind = KINDS.get(declared)
            if kind is None:
                raise FetchError(f"unsupported content type {declared or '(none)'}: not a page, feed or PDF")
            limit = MAX_PDF_BYTES if kind == ".pdf" else MAX_ARTICLE_BYTES
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                raise FetchError(size_text(int(length), limit))
            body = bytearray()
            for piece in response.iter_bytes():
                body += piece
                if len(body) > limit:
                    raise FetchError(f"too large (more than the limit of {limit // (1024 * 1024)} MiB)")
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out after {timeout_seconds():g} s (ASSISTANT_FETCH_TIMEOUT sets the limit)")
            return Download(url, str(response.url), response.status_code, _sniff(kind, bytes(body)), bytes(body),
                            response.headers.get("etag", ""), response.headers.get("last-modified", ""))
    except httpx.TooManyRedirects:
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})") from None
    except httpx.TimeoutException:
        raise FetchError(f"timed out after {timeout_seconds():g} s (ASSISTANT_FETCH_TIMEOUT sets the limit)") from None
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(f"unsupported address ({exc})") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch it ({_root_cause(exc)})") from None


def _sniff(kind: str, body: bytes) -> str:
    """What the bytes are when the declared type is vague: feeds are often served as
    text/xml or even text/html, and some servers label everything text/plain."""
    if body.startswith(b"%PDF"):
        return ".pdf"
    if kind in (".xml", ".html", ".txt") and looks_like_feed(body):
        return ".rss"
    return kind


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
