"""JSONL corpora: one article per line, `{"id","title","url","published","authors","text"}`,
each row checked on its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from ..text.safe import drop_controls, replace_surrogates
from ..types import Article
from .dates import normalize_date
from .files import MAX_ARTICLE_BYTES
from .problems import Problems


def read_jsonl(path: Path, name: str, warn: Problems) -> Iterator[Article]:
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
