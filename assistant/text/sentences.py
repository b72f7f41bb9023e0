"""Sentence spans of a text: used to chunk articles, so part of what the index memo hashes.

Change it and every article is re-chunked on the next sync (its chunks keep their ids
when their text is the same)."""

from __future__ import annotations

import re

# Words that end with a period without ending a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "gov", "sen", "rep", "lt", "col",
    "sgt", "capt", "cmdr", "adm", "rev", "hon", "pres", "supt", "inc", "ltd", "co", "corp", "vs",
    "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "mt", "ft", "ave", "blvd", "dept", "est", "fig", "approx", "e.g", "i.e", "etc", "a.m",
    "p.m", "u.s", "u.k", "u.n", "d.c", "al",
}
# Sentence punctuation, a blank line, or a line break that does not look like hard wrapping.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n[ \t]*\n\s*|(?<![a-z,;:-])\n")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text` (whitespace trimmed, in order)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group().startswith((".",)) and _is_abbreviation(text, match.start()):
            continue
        _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in "(\"'“‘":
        word_start -= 1
    word = text[word_start:dot].lower()
    if word in _ABBREVIATIONS:
        return True
    # Initials ("J. K. Rowling") and single letters.
    return len(word) == 1 and word.isalpha()


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
