"""Who speaks each sentence of an article: each sentence's `Mention` (parse.py), resolved
in article order:

- "he said" / "she told" is the last person named as a speaker (or as a subject);
- "the group said" is whoever an earlier subject headed by "group" named (ISIS);
- a quotation that runs on over several sentences belongs to whoever is named in any of
  them ("...," Rouhani said);
- a sentence that is only a quotation, right after a speaker's sentence, is theirs;
- in a transcript, everything a turn ("BLITZER: ...") says is its speaker's.

Sentences are parsed one by one (the article's own sentence split, so offsets stay ours)
and the context is carried here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from ..types import Speaker
from . import names
from .parse import Mention, read_sentence

# A transcript's turn: "BLITZER: Senator, ..." (not a heading such as "UPDATE:").
_TURN = re.compile(r"^\s*([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}):\s")
_NOT_TURNS = frozenset({"UPDATE", "WATCH", "READ", "CLOSE", "NOTE", "EDITOR'S NOTE", "CORRECTION", "BREAKING", "LIVE", "VIDEO",
                        "PHOTOS", "RELATED", "ADVERTISEMENT", "Q", "A", "FAQ"})
MAX_TURN = 12  # sentences a transcript turn may run over without another label
_OPEN = "“\"«"
MAX_RUN = 6  # sentences one quotation may run over


@dataclass
class _Context:
    last_person: Speaker | None = None
    by_head: dict[str, Speaker] = field(default_factory=dict)
    known: dict[str, Speaker] = field(default_factory=dict)  # by names.key
    people: set[str] = field(default_factory=set)  # surnames of the people named so far
    last_named: Speaker | None = None  # the last speaker with a name, of any kind


def _inside_after(text: str, inside: bool) -> bool:
    """Whether a quotation is still open after this sentence, given whether one was open
    before it. Curly marks say which way they go; a straight one opens after a space (or at
    the start) and closes after anything else."""
    for i, ch in enumerate(text):
        if ch in "“«":
            inside = True
        elif ch in "”»":
            inside = False
        elif ch == '"':
            before = text[i - 1] if i else " "
            inside = before.isspace() or before in "([{—–-:"
    return inside


def _keys(speaker: Speaker) -> set[str]:
    """The keys a speaker is known by: its name's and its other names' (not its titles':
    "Iranian President" and "Iranian Foreign Minister" are two people)."""
    return {names.key(form, speaker.kind) for form in (speaker.name, *speaker.aliases)}


def _merge(a: Speaker, b: Speaker) -> Speaker:
    name = max((a.name, b.name), key=len)
    aliases = tuple(dict.fromkeys(x for x in (a.name, b.name, *a.aliases, *b.aliases) if x and x != name))
    return Speaker(name, a.kind, aliases, tuple(dict.fromkeys(a.titles + b.titles)))


def _name_like(name: str) -> bool:
    """Capitalised words that could be a person's name: not an acronym (NATO), at most three."""
    parts = name.split()
    return 0 < len(parts) <= 3 and all(p[:1].isupper() and not p.isupper() for p in parts)


def _resolve(mention: Mention, context: _Context) -> Speaker | None:
    if mention.pronoun:
        # "he said" after "said Elstermann", whom the entity model took for an organisation.
        last = context.last_named
        if last is not None and last is not context.last_person and _name_like(last.name):
            return replace(last, kind="PERSON")
        return context.last_person
    if mention.head and not mention.name:
        return context.by_head.get(mention.head)
    if not mention.name or mention.alias == "@subject":
        return None
    if mention.kind != "PERSON" and len(mention.name.split()) <= 2 and names.surname(mention.name) in context.people:
        # "said Elstermann from Schneider Electric": the entity model took a person seen
        # earlier in the article for an organisation.
        mention = replace(mention, kind="PERSON")
    speaker = Speaker(mention.name, mention.kind, (mention.also,) if mention.also else (),
                      (mention.alias,) if mention.alias else ())
    for k in _keys(speaker):
        if (known := context.known.get(k)) is not None:
            speaker = _merge(known, speaker)
    return speaker


def attribute(mentions: Sequence[Mention], texts: Sequence[str], gaps: frozenset[int] = frozenset()) -> list[Speaker | None]:
    """Each sentence's speaker, in article order, from what each sentence names and the
    context before it (see the module docstring). `gaps` are the sentences that do not
    follow the one before in the article (an excerpt of non-adjacent passages): no
    quotation runs on across them, since whoever closes it may be in the part left out."""
    context = _Context()
    found: list[Speaker | None] = []
    quote_from: int | None = None  # first sentence of a quotation still open
    inside = False
    turn: tuple[Speaker, int] | None = None  # a transcript's current speaker, since which sentence
    labels = [m.group(1) if (m := _TURN.match(text)) else "" for text in texts]
    people = {names.surname(person) for mention in mentions for person in mention.persons}
    transcript = any(label and labels.count(label) > 1 for label in labels)
    for i, (mention, text) in enumerate(zip(mentions, texts)):
        context.people.update(names.surname(person) for person in mention.persons)
        if i in gaps:
            inside, quote_from = False, None
        label = labels[i]
        # A transcript names its speakers again and again; a heading ("DAILY MONEY NEWSLETTER:") once.
        if label and label not in _NOT_TURNS and (transcript or names.surname(label) in people):
            own = [w for w in label.title().split() if w.lower().strip(".") not in names.TITLES]
            turn = (Speaker(" ".join(own) or label.title(), "PERSON"), i)
        elif turn is not None and i - turn[1] >= MAX_TURN:
            turn = None
        if turn is not None:  # in a transcript, all a turn says is its speaker's
            found.append(turn[0])
            continue
        speaker = _resolve(mention, context)
        if mention.name and mention.subject_head:
            named = speaker or Speaker(mention.name, mention.kind)
            context.by_head[mention.subject_head] = named
        if speaker is not None:
            for k in _keys(speaker):
                context.known[k] = speaker
            if speaker.kind == "PERSON":
                context.last_person = speaker
            if mention.name:
                context.last_named = speaker
        still_open = _inside_after(text, inside)
        if speaker is None and inside:
            speaker = found[quote_from] if quote_from is not None else None
        elif speaker is None and text.lstrip()[:1] in _OPEN and found and found[-1] is not None and i not in gaps:
            speaker = found[-1]  # a quotation-only sentence continuing the last speaker
        if speaker is not None and inside and quote_from is not None:
            for j in range(quote_from, i):  # the run-on quotation's speaker, named at its end
                if found[j] is None:
                    found[j] = speaker
        found.append(speaker)
        if still_open and not inside:
            quote_from = i
        # A quotation never closed (a stray mark) ends after a few sentences.
        inside = still_open and (quote_from is None or i - quote_from < MAX_RUN)
        if not inside:
            quote_from = None
    full = _full_names(mentions)
    return [_fullest(_canonical(s, found), full) for s in found]


def _full_names(mentions: Sequence[Mention]) -> dict[str, str]:
    """The full form of each person's name the article uses, by surname, where only one
    person has that surname (Liz and Dick Cheney both stay "Cheney")."""
    forms: dict[str, set[str]] = {}
    for mention in mentions:
        for person in mention.persons:
            if len(person.split()) <= 4:
                forms.setdefault(names.key(person, "PERSON"), set()).add(person)
    full = {}
    for k, seen in forms.items():
        longest = max(seen, key=len)
        firsts = {tuple(names.name_words(form)[:-1]) for form in seen} - {()}
        if len(firsts) <= 1:  # one first name (or none) for this surname
            full[k] = longest
    return full


def _fullest(speaker: Speaker | None, full: dict[str, str]) -> Speaker | None:
    if speaker is None or speaker.kind != "PERSON":
        return speaker
    longer = full.get(names.key(speaker.name, "PERSON"), "")
    if len(longer) <= len(speaker.name):
        return speaker
    return Speaker(longer, speaker.kind, tuple(dict.fromkeys((speaker.name, *speaker.aliases))), speaker.titles)


def _canonical(speaker: Speaker | None, found: Iterable[Speaker | None]) -> Speaker | None:
    """The fullest form of a speaker among all the article's sentences."""
    if speaker is None:
        return None
    mine = _keys(speaker)
    for other in found:
        if other is not None and other is not speaker and mine & _keys(other):
            speaker = _merge(speaker, other)
    return speaker


# Parsed sentences by text: a passage retrieved again (a follow-up, a chat) is not re-parsed.
_PARSED: dict[str, Mention] = {}
_KEEP = 20000


def mentions_of(texts: Sequence[str]) -> list[Mention]:
    from ..providers.nlp import parser

    missing = [t for t in dict.fromkeys(texts) if t not in _PARSED]
    if missing:
        if len(_PARSED) + len(missing) > _KEEP:
            _PARSED.clear()
        for text, doc in zip(missing, parser().pipe(missing, batch_size=32)):
            _PARSED[text] = read_sentence(doc)
    return [_PARSED[t] for t in texts]


def speakers(texts: Sequence[str], gaps: frozenset[int] = frozenset()) -> list[Speaker | None]:
    """The speaker of each of an article's sentences (given in order; `gaps` as in `attribute`)."""
    return attribute(mentions_of(texts), texts, gaps)
