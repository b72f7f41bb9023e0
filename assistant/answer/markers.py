"""Citation markers in an answer: the [n] grammar, and the answer read as sentences with
the markers each carries. Every check after the model works through these."""

from __future__ import annotations

import re
from typing import Callable

from ..text.sentences import split_sentences
from ..text.words import content_words

# [1], [1, 3], [1][2]; also "[Passage 2]" which small models like to write.
MARKER = re.compile(r"\s?\[(?:passage\s*)?(\d{1,3}(?:\s*,\s*\d{1,3})*)\]", re.I)


def rewrite_markers(text: str, count: int) -> tuple[str, int]:
    """Markers as [n][m]; numbers that point at no passage (outside 1..count) removed."""
    dropped = 0

    def keep(match: re.Match) -> str:
        nonlocal dropped
        numbers = [int(x) for x in re.findall(r"\d+", match.group(1))]
        valid = [n for n in dict.fromkeys(numbers) if 1 <= n <= count]
        dropped += len(numbers) - len(valid)
        if not valid:
            return ""
        return (" " if match.group(0).startswith(" ") else "") + "".join(f"[{n}]" for n in valid)

    return MARKER.sub(keep, text), dropped


def clean_markers(text: str, count: int) -> tuple[str, int]:
    """The answer with only valid markers, and how many markers were dropped."""
    cleaned, dropped = rewrite_markers(text, count)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"(?<=\S)[ \t]{2,}", " ", cleaned)
    cleaned = re.sub(r"(?<=\w)\[", " [", cleaned)  # "near [9][1]" without its [9] is "near [1]"
    cleaned = re.sub(r"(\[\d+\])[ \t]+(?=\[\d+\])", r"\1", cleaned)
    # Markers written after the period ("... civilians [1]. [1][2]") go before it, once each.
    cleaned = re.sub(
        r"((?:\[\d+\])*)([.!?])[ \t]*\n*[ \t]*((?:\[\d+\])+)(?=\s|$)",
        lambda m: ("" if m.group(1) else " ") + "".join(f"[{n}]" for n in markers(m.group(1) + m.group(3))) + m.group(2),
        cleaned,
    )
    return cleaned.strip(), dropped


def markers(text: str) -> list[int]:
    """Marker numbers in order of first appearance."""
    return list(dict.fromkeys(int(n) for group in MARKER.findall(text) for n in re.findall(r"\d+", group)))


def marker_count(text: str) -> int:
    """Every number in every marker, repeats included."""
    return sum(len(re.findall(r"\d+", group)) for group in MARKER.findall(text))


# Markers written after the period ("... attack. [2] Next ...") belong to the sentence before.
LEADING = re.compile(r"(?:\s*\[(?:passage\s*)?\d{1,3}(?:\s*,\s*\d{1,3})*\])+", re.I)


def sentence_parts(text: str) -> tuple[list[tuple[str, str, str]], str]:
    """The answer's sentences as (text before, markers of the previous sentence, sentence),
    and the text after the last one."""
    parts: list[tuple[str, str, str]] = []
    last = 0
    for start, end in split_sentences(text):
        sentence = text[start:end]
        leading = LEADING.match(sentence) if parts else None
        lead = leading.group() if leading else ""
        parts.append((text[last:start], lead, sentence[len(lead):]))
        last = end
    return parts, text[last:]


def claims(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of an answer with the markers each one carries."""
    found: list[tuple[str, list[int]]] = []
    for _, lead, sentence in sentence_parts(text)[0]:
        if lead and found:
            found[-1] = (found[-1][0], found[-1][1] + markers(lead))
        else:
            sentence = lead + sentence
        if content_words(MARKER.sub("", sentence)):
            found.append((MARKER.sub("", sentence).strip(), markers(sentence)))
    return found


def map_sentences(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with each sentence replaced by `rewrite(sentence)`, the space between kept."""
    out = []
    last = 0
    for start, end in split_sentences(text):
        out += [text[last:start], rewrite(text[start:end])]
        last = end
    return "".join(out) + text[last:]


MARKER_RUN = re.compile(r"( ?)((?:\[\d{1,3}\])+)")
TRAILING_RUN = re.compile(r"\s*(?:\[\d{1,3}\])+\s*$")
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)]*$")


def sentence_head(sentence: str) -> str:
    """The sentence before its closing punctuation (and a quote or bracket after it),
    trailing space trimmed: where markers for the whole sentence go."""
    ending = SENTENCE_END.search(sentence)
    return (sentence[: ending.start()] if ending else sentence).rstrip()
