"""`assistant quotes TOPIC`: who said what about a topic, grouped by speaker, each statement
verbatim with its article, date and place in the article's text. No language model."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..retrieve.excerpts import group
from ..types import DateRange, Excerpt, Speaker
from .evidence import attribute
from .names import key, matches

READ_CHARS = 40_000  # all the retrieved chunks are read, not the answer's budget


@dataclass
class Statement:
    quote: str
    source: str
    chunk_id: str
    title: str
    published: str
    start: int  # offsets into the article's text (as `assistant extract` shows it)
    end: int
    root: str = ""
    url: str = ""

    def as_json(self) -> dict:
        return {name: getattr(self, name) for name in ("quote", "source", "chunk_id", "title", "published", "start", "end")}


@dataclass
class Speech:
    """One speaker's statements; `names` are every form the articles use."""

    speaker: Speaker
    statements: list[Statement] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"speaker": self.speaker.name, "also": [n for n in self.names if n != self.speaker.name],
                "statements": [s.as_json() for s in self.statements]}


def _statements(excerpt: Excerpt) -> list[tuple[Speaker, Statement]]:
    """Runs of neighbouring sentences with one speaker, as statements."""
    found: list[tuple[Speaker, Statement]] = []
    p = excerpt.first
    previous = None
    for sentence in excerpt.sentences:
        who = (excerpt.speakers or {}).get(sentence.start)
        if who is None:
            previous = None
            continue
        end = sentence.start + len(sentence.text)
        if previous is not None and previous.name == who.name and sentence.start - found[-1][1].end <= 4:
            statement = found[-1][1]
            statement.quote += " " + sentence.text
            statement.end = end
        else:
            found.append((who, Statement(sentence.text, p.source, sentence.chunk_id, p.title, p.published, sentence.start, end,
                                         p.root, p.url)))
        previous = who
    return found


def _keys(speaker: Speaker) -> set[str]:
    return {key(form, speaker.kind) for form in (speaker.name, *speaker.aliases)}


def quotes(retriever, topic: str, k: int = 10, dates: DateRange = DateRange(), speaker: str = "") -> list[Speech]:
    """The statements of the passages retrieved for `topic`, by speaker (one person under
    several names is one speaker), the speakers quoted most first; only `speaker`'s with it."""
    excerpts = group(retriever.search(topic, k=k, dates=dates), max_chars=READ_CHARS)
    attribute(excerpts)
    speeches: list[Speech] = []
    for excerpt in excerpts:
        for who, statement in _statements(excerpt):
            if speaker and not matches(speaker, "", who) and not matches(speaker, "PERSON", who):
                continue
            mine = _keys(who)
            speech = next((s for s in speeches if s.speaker.kind == who.kind and mine & _keys(s.speaker)), None)
            if speech is None:
                speech = Speech(who)
                speeches.append(speech)
            elif len(who.name) > len(speech.speaker.name):
                speech.speaker = Speaker(who.name, who.kind, (speech.speaker.name, *speech.speaker.aliases, *who.aliases),
                                         speech.speaker.titles)
            speech.statements.append(statement)
            speech.names = list(dict.fromkeys([*speech.names, who.name, *who.aliases, *who.titles]))
    return sorted(speeches, key=lambda s: -len(s.statements))
