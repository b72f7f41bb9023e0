"""Words as the answer checks and keyword search compare them: content words, names,
what a claim adds to a question."""

from __future__ import annotations

import os
import re
import string
import unicodedata

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


_NAME = re.compile(r"(?<![\w'’])([A-Z][\w'’.-]*[\w])")
_NOT_NAMES = {"I", "I'm", "US", "U.S", "UK", "A", "The", "This", "That", "Who", "What", "Which", "When", "Where", "How", "Why",
              # Days and months are capitalised but name a time, which articles often leave implicit.
              "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February",
              "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}


def question_names(question: str, grouped: bool = False) -> list[str]:
    """Capitalised words that do not start a sentence, possessives dropped. With `grouped`,
    neighbouring ones form one name ("Vice President Kamala Harris", "North Carolina"); a
    possessive ends a name ("Taiwan's President Tsai Ing-wen" is two)."""
    found: list[str] = []
    joins = False  # the previous word may continue into this one
    found_end = 0
    for match in _NAME.finditer(question):
        before = question[:match.start()].rstrip()
        if not before or before[-1] in ".?!:\"“(":
            joins = False
            continue
        word = re.sub(r"['’]s$", "", match.group(1))
        if word in _NOT_NAMES or len(word) < 2:
            joins = False
            continue
        if grouped and joins and found and not question[found_end:match.start()].strip():
            found[-1] += " " + word
        else:
            found.append(word)
        found_end = match.end()
        joins = word == match.group(1)
    return list(dict.fromkeys(found))


def word_pieces(text: str) -> list[str]:
    """Lower-case, accent-folded word pieces: "Al-Qaeda" and "al Qaeda" both give al, qaeda."""
    return [part for word in words(text) for part in re.split(r"[-'’]", word) if part]


def same_word(part: str, word: str) -> bool:
    """Another form of the same name: "Fed" and "Federal", "Democratic" and "Democrats",
    "Chinese" and "China", "Ukrainians" and "Ukraine"."""
    if word.startswith(part):
        return True
    common = len(os.path.commonprefix([part, word]))
    return common >= 4 and common >= 0.6 * min(len(part), len(word))


def normalize_answer(text: str) -> str:
    """SQuAD-style normalisation: lower case, no punctuation, no articles, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(" " if ch in string.punctuation or ch in "“”‘’–—" else ch for ch in text)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())
