"""Talk of "the passage" goes: numbers named after a claim become markers."""

from __future__ import annotations

import re

from ...text.words import words
from ..markers import MARKER, TRAILING_RUN, clean_markers, map_sentences, sentence_head
from .base import Draft

# "according to passage 3", "Based on the information provided in the passages, ...": the
# prompt forbids it, small models write it anyway. Only before punctuation, a marker or the
# end, so "the passage of the bill" stays.
_SOURCED = r"according to|as (?:stated|reported|mentioned|shown) in"
# "2", "1 and 2", "1, 2 and 3", "1 and passage 2".
_NUMBERS = r"\d{1,3}(?:(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+and[ \t]+)(?:passages?[ \t]+)?\d{1,3})*"
_PASSAGE_TALK = re.compile(
    r"(?:,[ \t]*)?\b(?:" + _SOURCED + r"|based on)[ \t]+(?:the[ \t]+)?"
    r"(?:information[ \t]+(?:provided[ \t]+)?in[ \t]+(?:the[ \t]+)?)?passages?(?:[ \t]+(" + _NUMBERS + r"))?"
    r"(?=[ \t]*(?:[,.;:!?\[]|$))",
    re.I,
)
# "(passages 1 and 2)", "(see passage 3)": markers in words.
_PASSAGE_PARENS = re.compile(r"[ \t]*\((?:see[ \t]+)?passages?[ \t]+(" + _NUMBERS + r")\)", re.I)
# "..., as stated in [2]." The marker stays, the talk goes.
_TALK_BEFORE_MARKER = re.compile(
    r"(?:,[ \t]*|[ \t]+)(?:" + _SOURCED + r")[ \t]+"
    r"(?=(?:\[\d{1,3}\])+[ \t]*(?:[.;!?]|$))", re.I | re.M)
# What comes before a phrase that opens a sentence, a line or a list item.
_OPENS = re.compile(r"(?:(?:^|\n)[ \t]*(?:[-*•]|\d+[.)])?|[.!?:])[ \t]*$")
_OPENER_COMMA = re.compile(r"((?:^|\n)[ \t]*(?:[-*•][ \t]+|\d+[.)][ \t]+)?|[.!?:][ \t]+)[ \t]*,[ \t]*(\w)")


# "The article [1] states that ..." opening a sentence (or a list item); its passage
# number and markers move to the sentence's end. A number only after "passage"/"excerpt":
# "Article 5 states that ..." is a treaty's. Not "sources": "One source says that ..." is
# the article's own wording.
_SAYS_THAT = re.compile(
    r"^((?:[-*•]|\d+[.)])[ \t]+)?(?:(?:the|this|that|one|another)[ \t]+)?"
    r"(?:(?:passages?|excerpts?)[ \t]+(\d{1,3})|articles?(?![ \t]+\d)|passages?|excerpts?)"
    r"((?:[ \t]*\[\d{1,3}\])*)[ \t]+(?:states?|says?|reports?|mentions?|notes?|explains?|confirms?|indicates?)"
    r"[ \t]+that[ \t]+(?=\S)", re.I)


def _unsay(sentence: str) -> str:
    match = _SAYS_THAT.match(sentence)
    rest = sentence[match.end():] if match else ""
    # A clause, not a noun: "The article mentions that report [1]." is about a report.
    if not match or len(words(MARKER.sub(" ", rest))) < 2:
        return sentence
    moved = ([f"[{match.group(2)}]"] if match.group(2) else []) + re.findall(r"\[\d{1,3}\]", match.group(3))
    first = next((i for i, ch in enumerate(rest) if ch.isalnum()), 0)
    word = rest[first:].split(maxsplit=1)[0] if rest[first:].strip() else ""
    if word[1:] == word[1:].lower():  # "iPhone" stays as it is
        rest = rest[:first] + rest[first:first + 1].upper() + rest[first + 1:]
    rest = (match.group(1) or "") + rest
    if not moved:
        return rest
    head = sentence_head(rest)
    run = TRAILING_RUN.search(head)
    at = run.start() if run else len(head)
    return head[:at] + " " + "".join(moved) + head[at:].lstrip() + rest[len(head):]


def unmention_passages(text: str) -> str:
    """The answer without talk of "the passage". Numbers named after the claim ("as stated
    in passage 2", "according to passages 1 and 3", "(passage 2)") become markers; a
    phrase opening the sentence ("According to passage 2, ...") goes with its number, and
    `add_missing_markers` gives the sentence its marker back if the passage holds it. An
    opening phrase followed by markers ("Based on the passages [1], ...") is left as
    written rather than lose them; "The article [1] states that X [2]." becomes
    "X [1][2]."."""
    text = map_sentences(text, _unsay)

    def as_markers(numbers: str | None) -> str:
        return " " + "".join(f"[{n}]" for n in re.findall(r"\d{1,3}", numbers)) if numbers else ""

    def replace(match: re.Match) -> str:
        after = text[match.end():].lstrip(" \t")
        if _OPENS.search(text[:match.start()]):
            return "" if after.startswith(",") else match.group(0)
        return as_markers(match.group(1)) if not after.startswith("[") else ""

    text, in_parens = _PASSAGE_PARENS.subn(lambda m: as_markers(m.group(1)), text)
    text, removed = _PASSAGE_TALK.subn(replace, text)
    removed += in_parens
    text, before_markers = _TALK_BEFORE_MARKER.subn(
        lambda m: m.group(0) if _OPENS.search(text[:m.start() + 1]) else " ", text)
    if not removed + before_markers:
        return text
    # "According to the passage, approximately ..." leaves ", approximately ...".
    return _OPENER_COMMA.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def rewrite(draft: Draft) -> None:
    # A passage named in words may not exist: its marker is checked like the model's own.
    draft.text = clean_markers(unmention_passages(draft.text), len(draft.excerpts))[0]
