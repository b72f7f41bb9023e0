"""Small text utilities shared by chunking, retrieval and citation quoting."""

from __future__ import annotations

import re
import string
import unicodedata

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


_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also said says say according new
    one two many much did does according whose""".split()
)

_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word tokens, accents folded."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return [w.strip("'’-") for w in _WORD.findall(folded) if w.strip("'’-")]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in _STOPWORDS]


def _root(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def named(text: str) -> set[str]:
    """Content words as a passage names them: "Iraq's" names "iraq"."""
    return {_root(w) for w in content_words(text)}


def added_words(claim: str, question: str) -> set[str]:
    """Content words of `claim` that are not the question's, nor another form of one
    ("approved" to "approve?"): what the claim says beyond the question, its answer."""
    asked = named(question)
    prefixes = {w[:5] for w in asked if len(w) >= 5}
    return {w for w in named(claim) if w not in asked and not (len(w) >= 5 and w[:5] in prefixes)}


_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][\w'’.-]*")
NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing)\b|n['’]t\b", re.I)
# A question answered yes or no, where an answer in the question's own words is the answer.
YES_NO = re.compile(r"^\W*(?:(?:am|is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must)"
                    r"(?:n['’]t)?|(?:ca|wo)n['’]t)\b", re.I)


def answer_terms(sentence: str, question: str) -> tuple[set[str], set[str]] | None:
    """What a direct answer adds to `question`: the words it adds, and those of them that
    name someone, something or a number (capitalised, the first word too since an answer
    often starts with its name, or with a digit). None when it names nothing new or is
    negated ("The winner is not named"): then no passage can confirm it."""
    added = added_words(sentence, question)
    capitalised = {word for token in _CAPITALISED.findall(sentence) for word in named(token)}
    names = {w for w in added if any(ch.isdigit() for ch in w)} | (added & capitalised)
    if not names or NEGATION.search(sentence):
        return None
    return added, names


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """Lone surrogates (undecodable bytes in argv or stdin, "\\ud800" in JSON) as U+FFFD:
    no UTF-8 store, tokenizer or hash can take them."""
    return _SURROGATE.sub("\ufffd", text)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def drop_controls(text: str) -> str:
    """`text` without control characters but newlines and tabs (a carriage return or form
    feed becomes a newline): an article from a hostile site must not bring escape sequences
    that retitle the terminal or clear the screen when a passage is shown."""
    return _CONTROL.sub(lambda m: "\n" if m.group() in "\r\x0b\x0c" else "", text.replace("\r\n", "\n"))


def normalize_answer(text: str) -> str:
    """SQuAD-style normalisation: lower case, no punctuation, no articles, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(" " if ch in string.punctuation or ch in "“”‘’–—" else ch for ch in text)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())
