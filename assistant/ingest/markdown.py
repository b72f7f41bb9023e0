"""Markdown with optional YAML-like front matter (title, date, url)."""

from __future__ import annotations

import re

from ..types import Article
from .dates import normalize_date
from .plain import first_line

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def from_markdown(text: str, name: str) -> Article:
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        for line in match.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[match.end():]
    title = meta.get("title") or first_line(text).lstrip("#").strip()
    body = text.strip()
    first = first_line(body)
    if first.lstrip("#").strip() == title:
        body = body[len(first):].strip()
    return Article(
        source=name,
        title=title[:300],
        text=body or title,
        published=normalize_date(meta.get("date") or meta.get("published")),
        url=meta.get("url", ""),
    )
