"""HTML pages: the article's text, title, date and canonical URL."""

from __future__ import annotations

import json
from typing import Iterator

from ..types import Article
from .dates import normalize_date
from .plain import first_line

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


def from_html(html: str, name: str) -> Article:
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
    title = title or first_line(text)
    return Article(
        source=name,
        title=title[:300],
        text=text,
        published=published,
        url=meta("og:url") or _canonical(soup),
    )


def _canonical(soup) -> str:
    link = soup.find("link", rel="canonical")
    return str(link.get("href") or "") if link else ""
