"""Citation markers in generated answers: keep the valid ones, drop the rest, add the
missing ones, and quote the passage sentences that support each claim."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

from .text import NEGATION, YES_NO, added_words, answer_terms, content_words, named, split_sentences, words

REFUSAL = "The indexed articles don't say."
GAP = " … "  # between quoted sentences that are not next to each other

# [1], [1, 3], [1][2]; also "[Passage 2]" which small models like to write.
MARKER = re.compile(r"\s?\[(?:passage\s*)?(\d{1,3}(?:\s*,\s*\d{1,3})*)\]", re.I)
_REFUSALS = re.compile(
    r"(articles?|passages?|sources?|context)\s+(don'?t|do not|does not|doesn'?t)\s+(say|mention|contain|provide|answer|specify)"
    r"|not (mentioned|stated|specified|provided) in the (passages?|articles?)"
    r"|no (information|mention) (about|of|on)",
    re.I,
)


@dataclass(frozen=True)
class Cited:
    n: int
    quote: str


def is_refusal(text: str) -> bool:
    return bool(_REFUSALS.search(text)) or not text.strip()


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
    head = _head(rest)
    at = _TRAILING_RUN.search(head)
    at = at.start() if at else len(head)
    return head[:at] + " " + "".join(moved) + head[at:].lstrip() + rest[len(head):]


def unmention_passages(text: str) -> str:
    """The answer without talk of "the passage". Numbers named after the claim ("as stated
    in passage 2", "according to passages 1 and 3", "(passage 2)") become markers; a
    phrase opening the sentence ("According to passage 2, ...") goes with its number, and
    `add_missing_markers` gives the sentence its marker back if the passage holds it. An opening phrase followed by markers ("Based on the passages [1], ...") is
    left as written rather than lose them; "The article [1] states that X [2]." becomes
    "X [1][2]."."""
    text = _map_sentences(text, _unsay)

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


def _rewrite_markers(text: str, count: int) -> tuple[str, int]:
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
    cleaned, dropped = _rewrite_markers(text, count)
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
_LEADING = re.compile(r"(?:\s*\[(?:passage\s*)?\d{1,3}(?:\s*,\s*\d{1,3})*\])+", re.I)


def _sentences(text: str) -> tuple[list[tuple[str, str, str]], str]:
    """The answer's sentences as (text before, markers of the previous sentence, sentence),
    and the text after the last one."""
    parts: list[tuple[str, str, str]] = []
    last = 0
    for start, end in split_sentences(text):
        sentence = text[start:end]
        leading = _LEADING.match(sentence) if parts else None
        lead = leading.group() if leading else ""
        parts.append((text[last:start], lead, sentence[len(lead):]))
        last = end
    return parts, text[last:]


def repeated(text: str) -> int | None:
    """Where the first sentence that repeats an earlier one (word for word, markers
    aside) begins, or None. A small model sometimes copies a passage sentence over and
    over until its token limit; what follows the first repeat is only that."""
    seen = set()
    for start, end in split_sentences(text):
        key = tuple(words(MARKER.sub(" ", text[start:end])))
        if len(key) >= 4 and key in seen:
            return start
        seen.add(key)
    return None


def claims(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of an answer with the markers each one carries."""
    found: list[tuple[str, list[int]]] = []
    for _, lead, sentence in _sentences(text)[0]:
        if lead and found:
            found[-1] = (found[-1][0], found[-1][1] + markers(lead))
        else:
            sentence = lead + sentence
        if content_words(MARKER.sub("", sentence)):
            found.append((MARKER.sub("", sentence).strip(), markers(sentence)))
    return found


def _overlap(claim_words: set[str], sentence: str) -> int:
    return len(claim_words & named(sentence))


def supporting_sentences(claim: str, passage: str | Sequence[str], limit: int = 2, question: str = "",
                         prefer: Sequence[str] = ()) -> list[str]:
    """Verbatim sentences of `passage` (a text, or its sentences already split) that best
    support `claim` (about `question`), in passage order: first the sentence naming most of
    what the claim adds to the question (the answer), then most of all their words, then the
    shortest. When no sentence shares a word with them, the first of `prefer` (sentences
    closest in meaning) that is not a fragment."""
    added = added_words(claim, question)
    wanted = named(claim + " " + question)
    sentences = [passage[a:b] for a, b in split_sentences(passage)] if isinstance(passage, str) else list(passage)
    if not sentences:
        return []
    fragment = [len(words(sentence)) < 4 for sentence in sentences]  # a byline, a dateline
    ranked = sorted(range(len(sentences)), key=lambda i: (
        -_overlap(added, sentences[i]), -_overlap(wanted, sentences[i]), fragment[i], len(sentences[i])))
    if prefer and not _overlap(wanted, sentences[ranked[0]]):  # a vague `--llm none` question
        order = {text: i for i, text in reversed(list(enumerate(prefer)))}
        ranked.sort(key=lambda i: (fragment[i], order.get(sentences[i], len(order))))
        return [sentences[ranked[0]]]
    chosen = [ranked[0]]
    covered = wanted & named(sentences[ranked[0]])
    for i in ranked[1:limit + 2]:
        if len(chosen) >= limit:
            break
        new = (wanted & named(sentences[i])) - covered
        if len(new) >= 2:
            chosen.append(i)
            covered |= new
    return [sentences[i] for i in sorted(chosen)]


def _map_sentences(text: str, rewrite: Callable[[str], str]) -> str:
    """`text` with each sentence replaced by `rewrite(sentence)`, the space between kept."""
    out = []
    last = 0
    for start, end in split_sentences(text):
        out += [text[last:start], rewrite(text[start:end])]
        last = end
    return "".join(out) + text[last:]


def add_missing_markers(text: str, passages: list[str], min_share: float = 0.5) -> str:
    """Give an uncited factual sentence the marker of the passage that supports it best,
    when that passage holds at least `min_share` of its content words."""
    def rewrite(sentence: str) -> str:
        words = set(content_words(MARKER.sub("", sentence)))
        if markers(sentence) or not words:
            return sentence
        scores = [len(words & set(content_words(p))) for p in passages]
        best = max(range(len(passages)), key=scores.__getitem__, default=None)
        if best is None or scores[best] < max(1, min_share * len(words)):
            return sentence
        stripped = sentence.rstrip(".!?")
        return f"{stripped} [{best + 1}]{sentence[len(stripped):]}"

    return _map_sentences(text, rewrite)


_MARKER_RUN = re.compile(r"( ?)((?:\[\d{1,3}\])+)")
_TRAILING_RUN = re.compile(r"\s*(?:\[\d{1,3}\])+\s*$")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)]*$")


def _head(sentence: str) -> str:
    """The sentence before its closing punctuation (and a quote or bracket after it),
    trailing space trimmed: where markers for the whole sentence go."""
    ending = _SENTENCE_END.search(sentence)
    return (sentence[: ending.start()] if ending else sentence).rstrip()


def prune_unsupported(text: str, passages: Sequence[str], question: str = "") -> str:
    """Markers of a sentence that cites several passages, without those that share none of
    the words the sentence adds to the question: small models often cite every passage
    ("Joe Biden won [1][2]...[8]") and a passage that never names the answer backs nothing.
    Run after `clean_markers` (markers as [n][m]). A sentence keeps all its markers when
    none of them would be left, or when it adds no word to the question."""
    def rewrite(sentence: str) -> str:
        # Markers opening the span ('ISIS claimed it." [2] Next …') belong to the
        # sentence before, whose words are not here: they stay as written.
        lead = _LEADING.match(sentence)
        lead, body = (lead.group(), sentence[lead.end():]) if lead else ("", sentence)
        numbers = [n for n in markers(body) if 1 <= n <= len(passages)]
        added = added_words(MARKER.sub(" ", body), question)
        backing = [n for n in numbers if added & named(passages[n - 1])]
        if len(numbers) < 2 or not backing or len(backing) == len(numbers):
            return sentence

        def keep(match: re.Match) -> str:
            kept = "".join(f"[{n}]" for n in markers(match.group(2)) if n in backing)
            return match.group(1) + kept if kept else ""

        return lead + _MARKER_RUN.sub(keep, body)

    return _map_sentences(text, rewrite)


def cite_corroborating(text: str, passages: Sequence[str], question: str = "", most: int = 3,
                       share: float = 0.5) -> str:
    """The answer's first sentence (the direct answer) with the markers of the other
    passages that name it too, up to `most` markers in all: each such passage names every
    name and number the sentence adds to the question and at least `share` of all the
    words it adds. The model usually cites one of several articles that state the answer;
    showing the others lets the reader see it corroborated. Run after `clean_markers` and
    `prune_unsupported`, whose rule it mirrors. A sentence without markers, names or
    numbers, with a negation, or followed by markers that open the next line (which
    `claims` counts as its own), is left alone; so are the markers it already has."""
    spans = split_sentences(text)
    if not spans or (len(spans) > 1 and _LEADING.match(text[spans[1][0]:spans[1][1]])):
        return text
    start, end = spans[0]
    sentence = text[start:end]
    head = _head(sentence)
    cited = markers(head)
    terms = answer_terms(MARKER.sub(" ", head), question)
    if not cited or terms is None or marker_count(head) >= most:
        return text
    added, names = terms
    extra = [n for n, passage in enumerate(passages, start=1)
             if n not in cited and names <= named(passage) and len(added & named(passage)) >= share * len(added)]
    if not extra:
        return text
    run = "".join(f"[{n}]" for n in extra[: most - marker_count(head)])
    space = "" if _TRAILING_RUN.search(head) else " "
    return text[:start] + head + space + run + sentence[len(head):] + text[end:]


def drop_uncited(text: str) -> str:
    """The answer without the factual sentences that carry no marker (run after
    `add_missing_markers`, so what is left of them matched no passage)."""
    parts, tail = _sentences(text)
    out = []
    for i, (before, lead, sentence) in enumerate(parts):
        followed_by_markers = i + 1 < len(parts) and parts[i + 1][1]
        if MARKER.search(sentence) or followed_by_markers or not content_words(sentence):
            out.append(before + lead + sentence)
        else:
            out.append(lead)
    return ("".join(out) + tail).strip()


PREMISE_SHARE = 0.8  # the six premise echoes seen on rtqa-dev each held all of it


def lead_with_answer(text: str, question: str) -> str:
    """The answer without an opening sentence that only repeats the premise of a question
    that has one ("The GOP's most outspoken critic … was booted from her House seat this
    week. What is her name?" answered "The GOP's most outspoken critic … this week [2].
    Liz Cheney …"), so that the answer comes first. Such a sentence adds no word to the
    question and holds at least `PREMISE_SHARE` of the premise's words (an answer picking
    one of the premise's names holds fewer); what follows must be cited and add a word.
    Yes/no questions and negated sentences are left alone: there the question's own words
    are the answer. Run after `drop_uncited`, so what follows carries its markers."""
    parts, tail = _sentences(text)
    asked = split_sentences(question)
    if len(parts) < 2 or any(YES_NO.search(question[a:b]) for a, b in asked):
        return text
    first = MARKER.sub(" ", parts[0][1] + parts[0][2])
    premise, said = set(content_words(question[: asked[-1][0]])), set(content_words(first))
    if added_words(first, question) or NEGATION.search(first) or len(premise & said) < max(4, PREMISE_SHARE * len(premise)):
        return text
    # The next span's leading markers belong to the sentence that goes.
    rest = parts[1][2] + "".join(before + lead + sentence for before, lead, sentence in parts[2:]) + tail
    if not MARKER.search(rest) or not added_words(MARKER.sub(" ", rest), question):
        return text
    return rest.strip()


def quotes(text: str, passages: Sequence[str | Sequence[str]], question: str = "") -> list[Cited]:
    """One entry per cited passage number, with the sentences that back its claims."""
    by_number: dict[int, list[str]] = {}
    for sentence, numbers in claims(text):
        for n in numbers:
            by_number.setdefault(n, []).append(sentence)
    cited = []
    for n in sorted(by_number):
        claim = " ".join(by_number[n])
        cited.append(Cited(n=n, quote=GAP.join(supporting_sentences(claim, passages[n - 1], question=question))))
    return cited


class MarkerFilter:
    """Streams text while holding back a possible marker until it is complete, so
    markers that point at no passage never reach the screen."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.pending = ""

    def feed(self, token: str) -> str:
        self.pending += token
        start = self.pending.rfind("[")
        if start == -1:
            out, self.pending = self.pending, ""
            return out
        if "]" in self.pending[start:] or len(self.pending) - start > 16:
            out, self.pending = self._clean(self.pending), ""
            return out
        while start > 0 and self.pending[start - 1] in " \t":  # a dropped marker takes its space along
            start -= 1
        out, self.pending = self._clean(self.pending[:start]), self.pending[start:]
        return out

    def flush(self) -> str:
        out, self.pending = self._clean(self.pending), ""
        return out

    def _clean(self, text: str) -> str:
        return _rewrite_markers(text, self.count)[0]


class RefusalHold:
    """Holds streamed text back while it could still be the refusal sentence, and for good
    once it starts with it, so a refusal is never shown half-written and a second look can
    replace it unseen."""

    def __init__(self) -> None:
        self.pending = ""
        self.released = False

    def feed(self, text: str) -> str:
        if self.released:
            return text
        self.pending += text
        said = _plain(self.pending)
        if _PLAIN_REFUSAL.startswith(said) or said.startswith(_PLAIN_REFUSAL):
            return ""
        self.released = True
        out, self.pending = self.pending, ""
        return out


def _plain(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


_PLAIN_REFUSAL = _plain(REFUSAL)
