"""Cheap checks that the articles cannot answer a question, run before the model.

A small model asked about something its passages do not cover tends to answer anyway
from whatever is closest. Two situations are decidable without it:

- the question names someone or something (a capitalised word) that no indexed article
  mentions at all, or that none of the passages retrieved for it mention (an article
  that never names the subject cannot say what the question asks about it);
- the question is about the present ("this week", "recently", "new") relative to an
  explicit reference date, and no relevant article is within two months of that date.

Each returns a short reason for the user, or None. The checks after the model follow
below them.
"""

from __future__ import annotations

import os
import re
from datetime import date
from typing import Collection, Sequence

from .citations import MARKER, claims
from .retrieval import Passage
from .text import NEGATION, YES_NO, answer_terms, content_words, named, split_sentences, words

FRESH_DAYS = 60
# Lower-case "new" only: "New York" is a place, not a time.
_PRESENT = re.compile(
    r"\b(?i:this (?:week|weekend|month|year)|last (?:week|weekend|month)|recent|recently|newly|latest|"
    r"current|currently|now|today|yesterday|tonight|so far|upcoming|soon|ongoing)\b|\bnew\b"
)
_NAME = re.compile(r"(?<![\w'’])([A-Z][\w'’.-]*[\w])")
_NOT_NAMES = {"I", "I'm", "US", "U.S", "UK", "A", "The", "This", "That", "Who", "What", "Which", "When", "Where", "How", "Why",
              # Days and months are capitalised but name a time, which articles often leave implicit.
              "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
              "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}


def names(question: str) -> list[str]:
    """Capitalised words that do not start a sentence, possessives dropped."""
    found = []
    for match in _NAME.finditer(question):
        before = question[:match.start()].rstrip()
        if not before or before[-1] in ".?!:\"“(":
            continue
        word = re.sub(r"['’]s$", "", match.group(1))
        if word not in _NOT_NAMES and len(word) > 1:
            found.append(word)
    return list(dict.fromkeys(found))


def unknown_names(question: str, lexical) -> str | None:
    missing = [name for name in names(question) if not lexical.mentions(name)]
    if not missing:
        return None
    quoted = ", ".join(f"“{name}”" for name in missing)
    return f"No indexed article mentions {quoted}."


def _parts(text: str) -> list[str]:
    """Lower-case, accent-folded word pieces: "Al-Qaeda" and "al Qaeda" both give al, qaeda."""
    return [part for word in words(text) for part in re.split(r"[-'’]", word) if part]


def _same_word(part: str, word: str) -> bool:
    """Another form of the same name: "Fed" and "Federal", "Democratic" and "Democrats",
    "Chinese" and "China", "Ukrainians" and "Ukraine"."""
    if word.startswith(part):
        return True
    common = len(os.path.commonprefix([part, word]))
    return common >= 4 and common >= 0.6 * min(len(part), len(word))


def unmentioned_names(question: str, passages: Sequence[Passage]) -> str | None:
    """Names in the question that none of `passages` mention in any form. Deliberately
    lenient (a name may match an unrelated word that starts like it), so it only refuses
    when the retrieved articles are about something else."""
    vocabulary = set(_parts(" ".join(f"{p.title} {p.text}" for p in passages)))
    by_start: dict[str, list[str]] = {}
    for word in vocabulary:
        by_start.setdefault(word[:2], []).append(word)

    def mentioned(name: str) -> bool:
        for part in _parts(name):
            if len(part) == 1:  # an initial ("U.N."): nothing to compare
                continue
            if len(part) == 2:
                found = {part, part + "s"} & vocabulary
            else:
                found = any(_same_word(part, word) for word in by_start.get(part[:2], []))
            if not found:
                return False
        return True

    missing = [name for name in names(question) if not mentioned(name)]
    if not missing:
        return None
    quoted = ", ".join(f"“{name}”" for name in missing)
    return f"None of the passages found for this question mentions {quoted}."


def stale(question: str, passages: Sequence[Passage], as_of: date | None) -> str | None:
    if as_of is None or not passages or not _PRESENT.search(question):
        return None
    if any(not p.published for p in passages):
        return None  # an undated article might be recent
    published = [date.fromisoformat(p.published) for p in passages]
    if min(abs((as_of - day).days) for day in published) <= FRESH_DAYS:
        return None
    return f"The question is about the time around {as_of}; the newest relevant article is from {max(published)}."


def fresh(passage: Passage, reference: date) -> bool:
    """Published in the two months up to `reference` (a day of slack for time zones)."""
    if not passage.published:
        return False
    age = (reference - date.fromisoformat(passage.published)).days
    return -1 <= age <= FRESH_DAYS


def corroborated(answer: str, texts: Sequence[str], question: str, cited: Collection[int], share: float = 0.5) -> bool:
    """Two of `texts` (one per article), one of them cited (`cited`: their indexes), name
    the answer: each holds `share` of the words the answer's first sentence (the direct
    answer) adds to the question. That sentence must name someone, something or a number
    the question does not, and must not be negated ("The winner is not named, …")."""
    found = claims(answer)
    terms = answer_terms(found[0][0] if found else "", question)
    if terms is None:
        return False
    added = terms[0]
    naming = {i for i, text in enumerate(texts) if len(added & named(text)) >= share * len(added)}
    return len(naming) >= 2 and bool(naming & set(cited))


def restates(answer: str, question: str) -> bool:
    """The answer is the question's own words, all of them and nothing else: it repeats the
    question instead of answering. A shorter answer in the question's words can be right
    ("Biden" to "Biden or Trump?"), and so can the question's words to a yes/no question
    ("Velveeta is (not) popular" to "Is Velveeta popular?")."""
    if YES_NO.search(question) or NEGATION.search(answer):
        return False
    said, asked = set(content_words(MARKER.sub(" ", answer))), set(content_words(question))
    return said == asked


# After the model: an answer that states a number its passages never mention made it up.
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER = re.compile(r"\d[\d,.]*\d|\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.I)


def numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        token = match.group().lower()
        token = _NUMBER_WORDS.get(token, token.replace(",", ""))
        found.add(token.lstrip("0") or "0")  # "06" in a date is the 6 of "June 6"
    return found


def invented_numbers(answer: str, sources: Sequence[str], question: str) -> set[str]:
    """Numbers in the answer found neither in the passages nor in the question."""
    known = numbers(question)
    for text in sources:
        known |= numbers(text)
    # Marker numbers are not claims.
    return numbers(re.sub(r"\[\d+\]", " ", answer)) - known


_HOW_MANY = re.compile(r"\bhow many\b", re.I)


def uncounted(answer: str, sources: Sequence[str], question: str) -> bool:
    """A "how many" answer whose count no passage sentence gives together with anything
    the question asks about: the seed article has "two of them" (speaking Arabic in a
    video) and nothing on arrests, and "Two suspects were arrested" was the model filling
    the gap. Any of the question's words will do ("LeBron scored 38" for "How many points
    did LeBron score?"). Judged on the direct answer (its first sentence)."""
    found = claims(answer)
    count = numbers(found[0][0]) - numbers(question) if found and _HOW_MANY.search(question) else set()
    if not count:
        return False
    asked = _pieces(question)
    for text in sources:
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if not count & numbers(sentence):
                continue
            said = _pieces(sentence)
            if any(_same_word(a, b) or _same_word(b, a) for a in asked for b in said):
                return False
    return True


def _pieces(text: str) -> list[str]:
    """Content word pieces of three letters or more: short ones match too much by prefix."""
    return [part for part in _parts(" ".join(content_words(text))) if len(part) > 2]
