"""Split articles into overlapping, sentence-aligned chunks ready for embedding.

all-MiniLM-L6-v2 reads at most 256 word pieces, so a chunk (title included) stays
around 200 tokens: about 800 characters of English news text.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from ..text.sentences import split_sentences
from ..types import Article, Chunk

MAX_CHARS = 800
OVERLAP_CHARS = 160
TITLE_SEPARATOR = "\n\n"


def day_number(published: str) -> int | None:
    """ISO date -> proleptic ordinal (an int Chroma can filter with $gte/$lte)."""
    return date.fromisoformat(published).toordinal() if published else None


def chunk_article(article: Article, root: str = "", max_chars: int = MAX_CHARS,
                  overlap_chars: int = OVERLAP_CHARS) -> list[Chunk]:
    header = article.title + TITLE_SEPARATOR if article.title else ""
    chunks = []
    # Keys that only some articles have are stored only when they have a value, so the
    # chunks (and ids) of articles without them stay what they were before the keys existed.
    extra: dict = {key: value for key, value in (("site", article.site), ("authors", "; ".join(article.authors))) if value}
    for number, (start, end) in enumerate(_page_windows(article, max_chars, overlap_chars)):
        metadata = {
            "source": article.source,
            "root": root,
            "title": article.title,
            "published": article.published,
            "url": article.url,
            "chunk": number,
            "start": start,
            "end": end,
            **extra,
        }
        if article.pages:
            metadata["page"] = article.page_at(start)
        day = day_number(article.published)
        if day is not None:
            metadata["day"] = day
        chunks.append(Chunk(text=header + article.text[start:end], metadata=metadata))
    return chunks


def chunk_key(doc) -> str:
    """Content hash of a chunk (text and metadata): its id in Chroma and in the records."""
    payload = json.dumps([doc.page_content, doc.metadata], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def chunk_body(text: str, title: str) -> str:
    """The article text of a stored chunk, without its title header."""
    header = title + TITLE_SEPARATOR if title else ""
    return text[len(header):] if header and text.startswith(header) else text


def _page_windows(article: Article, max_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    """The windows of the article's text; a PDF's never cross a page, so each chunk has one page."""
    if not article.pages:
        return _windows(article.text, max_chars, overlap_chars)
    bounds = list(article.pages) + [len(article.text)]
    windows = []
    for start, end in zip(bounds, bounds[1:]):
        windows += [(start + a, start + b) for a, b in _windows(article.text[start:end], max_chars, overlap_chars)]
    return windows


def _windows(text: str, max_chars: int, overlap_chars: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into windows; consecutive windows share
    their last sentences (up to `overlap_chars`) so no fact is cut in two."""
    sentences = [piece for span in split_sentences(text) for piece in _split_long(text, span, max_chars)]
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(sentences):
        last = first
        while last + 1 < len(sentences) and sentences[last + 1][1] - sentences[first][0] <= max_chars:
            last += 1
        windows.append((sentences[first][0], sentences[last][1]))
        if last + 1 >= len(sentences):
            break
        # Step back over trailing sentences that fit in the overlap budget; always
        # repeat at least the last sentence unless it would fill half a chunk.
        next_first = last + 1
        while next_first - 1 > first and (
            sentences[last][1] - sentences[next_first - 1][0] <= overlap_chars
            or (next_first == last + 1 and sentences[last][1] - sentences[last][0] <= max_chars // 2)
        ):
            next_first -= 1
        first = next_first
    return windows


def _split_long(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """A 'sentence' longer than a chunk (tables, run-on text) is cut at spaces."""
    start, end = span
    pieces = []
    while end - start > max_chars:
        cut = text.rfind(" ", start, start + max_chars)
        cut = cut if cut > start else start + max_chars
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces
