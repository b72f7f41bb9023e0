"""Who speaks each sentence of an article, from spaCy's dependency parse and named entities.

A sentence is someone's statement when a speech verb ("said", "told", "accused",
"blamed", "called", "was quoted as saying"...) has them as its subject, or when it says
"according to X". The speaker is the named person (else organisation) in that subject:
"Iran's Supreme Leader, Ayatollah Ali Khamenei, linked..." is Khamenei. Then, across the
article's sentences in order:

- "he said" / "she told" is the last person named as a speaker (or as a subject);
- "the group said" is whoever an earlier subject headed by "group" named (ISIS);
- a quotation that runs on over several sentences belongs to whoever is named in any of
  them ("...," Rouhani said);
- a sentence that is only a quotation, right after a speaker's sentence, is theirs.

Sentences are parsed one by one (the article's own sentence split, so offsets stay ours)
and the context is carried here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from ..types import Speaker
from . import names

SPEECH_VERBS = frozenset("""
    say tell add state announce declare explain write tweet post note observe remark comment mention report reveal
    claim allege assert insist maintain argue contend suggest acknowledge admit concede confirm deny
    warn caution threaten vow pledge promise urge call describe label brand dub characterize characterise term
    accuse blame link attribute criticize criticise condemn denounce decry slam praise hail welcome dismiss reject
    reply respond answer retort counter ask question wonder predict estimate forecast expect believe think
    stress emphasize emphasise recall testify complain lament boast joke quip compare liken quote
""".split())
# Verbs whose subject says something only when they introduce content (a clause, a quote):
# "ISIS, which claimed the attack" claims responsibility, it says nothing.
_NEED_CONTENT = frozenset({"claim", "post", "ask", "question", "expect", "believe", "think", "answer", "welcome"})
_SUBJECTS = ("nsubj", "nsubjpass")
# Passive verbs whose subject is still the one speaking ("Khamenei was quoted as saying").
_PASSIVE_SPEAKS = frozenset({"quote"})
# A transcript's turn: "BLITZER: Senator, ..." (not a heading such as "UPDATE:").
_TURN = re.compile(r"^\s*([A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+){0,2}):\s")
_NOT_TURNS = frozenset({"UPDATE", "WATCH", "READ", "CLOSE", "NOTE", "EDITOR'S NOTE", "CORRECTION", "BREAKING", "LIVE", "VIDEO",
                        "PHOTOS", "RELATED", "ADVERTISEMENT", "Q", "A", "FAQ"})
MAX_TURN = 12  # sentences a transcript turn may run over without another label
_NAMED = ("PERSON", "ORG", "NORP", "GPE", "FAC")
_PRONOUNS = frozenset({"he", "she", "him", "her"})
_RELATIVE = {"who", "which", "that"}
_OPEN = "“\"«"
MAX_RUN = 6  # sentences one quotation may run over
_MARKS = {"“", "”", '"', "«", "»"}


@dataclass(frozen=True)
class Mention:
    """What one sentence says about its speaker, before the article's context resolves it."""

    name: str = ""  # a named speaker
    kind: str = ""
    alias: str = ""  # the subject's other words ("Iran's Supreme Leader")
    also: str = ""  # another name for the same speaker in the subject ("The Islamic State (ISIS)")
    pronoun: str = ""  # "he"
    head: str = ""  # a definite description's head noun ("group")
    subject_head: str = ""  # the head noun of a named subject, for later "the group said"
    persons: tuple[str, ...] = ()  # every person the sentence names, for the fullest form of a name


@dataclass
class _Context:
    last_person: Speaker | None = None
    by_head: dict[str, Speaker] = field(default_factory=dict)
    known: dict[str, Speaker] = field(default_factory=dict)  # by names.key
    people: set[str] = field(default_factory=set)  # surnames of the people named so far
    last_named: Speaker | None = None  # the last speaker with a name, of any kind


def entities_in(span, doc) -> list:
    """Named entities inside a token span, a person first, then an organisation, then others."""
    found = [ent for ent in doc.ents if ent.start < span.end and ent.end > span.start and ent.label_ in _NAMED]
    return sorted(found, key=lambda ent: (_NAMED.index(ent.label_), ent.start))


def trim(text: str) -> str:
    text = re.sub(r"^(?:the|The)\s+", "", text.strip())
    text = re.sub(r"['’]s$", "", text.strip(" ,;:([{")).strip(" ,;:([{")
    return text


def _subject(verb) -> Any:
    """The verb's subject; for "was asked ... and replied" or "went on to say", the subject
    of the verb it hangs from; for "..., with Fiji's Prime Minister noting that", the
    object of that "with"."""
    before = verb.doc[verb.i - 1] if verb.i else None
    if before is not None and before.head.lower_ == "with" and before.pos_ in ("NOUN", "PROPN"):
        return before
    token = verb
    for _ in range(4):
        for child in token.children:
            if child.dep_ == "nsubjpass" and token is verb and verb.lemma_.lower() not in _PASSIVE_SPEAKS:
                # "Merola is being praised by family": the speaker is the agent, if named.
                return next((grand for agent in verb.children if agent.dep_ == "agent"
                             for grand in agent.children if grand.dep_ == "pobj"), None)
            if child.dep_ in _SUBJECTS:
                return child
        if token.dep_ in ("conj", "xcomp", "advcl", "pcomp") and token.head is not token:
            token = token.head
            continue
        return None
    return None


def _speech_ancestor(token) -> Any:
    for ancestor in token.ancestors:
        if says(ancestor):
            return ancestor
    return None


def says(token) -> bool:
    if token.pos_ not in ("VERB", "AUX") or token.lemma_.lower() not in SPEECH_VERBS:
        return False
    if token.lemma_.lower() in _NEED_CONTENT:
        return any(child.dep_ in ("ccomp", "parataxis") for child in token.children)
    return True


def phrase(subject) -> str:
    """A common-noun subject with its modifiers: "Iranian authorities", "jihadist group"."""
    parts = [t for t in subject.lefts if t.dep_ in ("amod", "compound", "nmod")] + [subject]
    return trim(" ".join(t.text for t in sorted(parts, key=lambda t: t.i)))


def _mention_of(subject, doc, own_words: bool = False) -> Mention:
    """The speaker a subject names. With `own_words`, only the noun and what precedes it
    count ("according to a separation agreement provided to the Free Press" names no one)."""
    text = subject.lower_
    if text in _PRONOUNS:
        return Mention(pronoun=text)
    if text in _RELATIVE and subject.head.dep_ == "relcl":  # "ISIS, which said..."
        subject = subject.head.head
    span = doc[subject.left_edge.i: (subject.i if own_words else subject.right_edge.i) + 1]
    entities = entities_in(span, doc)
    inside = next((ent for ent in entities if ent.start <= subject.i < ent.end), None)
    chosen = entities[0] if entities and entities[0].label_ in ("PERSON", "ORG") else inside
    if chosen is not None and chosen.label_ != "PERSON" and subject.pos_ == "PROPN" and not chosen.start <= subject.i < chosen.end:
        # "Cal Fire Battalion Chief Jon Heggie", "Browns head coach Kevin Stefanski": the
        # organisation is a modifier; the subject's own name, without its titles, speaks.
        taken = {t.i for ent in entities for t in ent}
        chain = [t for t in doc[chosen.end: subject.i + 1] if t.pos_ == "PROPN" and t.i not in taken]
        own = [t for t in chain if t.lower_.strip(".") not in names.TITLES and t.text[:1].isupper()]
        name = " ".join(t.text for t in own)
        if len(own) >= 2:
            title = trim(doc[span.start: chain[0].i].text) if chain else ""
            return Mention(name=trim(name), kind="PERSON", alias=title)
    head = subject.lemma_.lower() if chosen is None or not chosen.start <= subject.i < chosen.end else ""
    if chosen is not None:
        before = [t for t in doc[span.start: chosen.start] if not t.is_punct]
        alias = trim(doc[before[0].i: before[-1].i + 1].text) if any(t.pos_ in ("NOUN", "PROPN") for t in before) else ""
        # Another name in apposition ("The Islamic State (ISIS)") is the same speaker; one
        # joined by "and" ("Bildt and Stubb said") is not.
        others = [trim(ent.text) for ent in entities
                  if ent is not chosen and ent.label_ == chosen.label_ and ent.root.dep_ == "appos"]
        return Mention(name=trim(chosen.text), kind=chosen.label_, alias=alias, also=others[0] if others else "",
                       subject_head=head)
    modifiers = {t.i for t in subject.lefts if t.dep_ in ("amod", "compound", "nmod", "poss")}
    if any(ent.root.i in modifiers for ent in entities):  # "Iranian authorities": a group named by a nationality or place
        return Mention(name=phrase(subject), kind="GROUP", subject_head=head)
    if subject.pos_ == "PROPN":  # a name the entity model missed
        parts = [t for t in span if t.pos_ == "PROPN" and t.i <= subject.i]
        return Mention(name=trim(" ".join(t.text for t in parts)), kind="PERSON" if len(parts) > 1 else "ORG")
    if subject.pos_ == "NOUN" and any(t.lower_ in ("the", "this", "that") for t in subject.lefts):
        return Mention(head=head)
    return Mention()


def read_sentence(doc, quoted_first: bool = True) -> Mention:
    """The speaker a parsed sentence names, if any (see `_read`), and the people it names."""
    persons = tuple(trim(ent.text) for ent in doc.ents if ent.label_ == "PERSON")
    return replace(_read(doc, quoted_first), persons=persons)


def _read(doc, quoted_first: bool) -> Mention:
    """The subject of the sentence's speech verb, else its "according to X". In an article
    the verb a quotation hangs from comes first ("Democrats decried it, including Hochul,
    who called it \"shocking\"" is Hochul's); without `quoted_first` (an answer's "Pompeo
    said Zarif blamed ...", which puts the words in Pompeo's mouth) the main verb does."""
    verbs = [t for t in doc if says(t)]
    quoting: dict[Any, int] = {}
    for mark in (t for t in doc if t.text in _MARKS and quoted_first):
        verb = _speech_ancestor(mark)
        quoting[verb] = quoting.get(verb, 0) + 1
    verbs.sort(key=lambda t: (-quoting.get(t, 0), len(list(t.ancestors)), t.i))
    for verb in verbs:
        subject = _subject(verb)
        if subject is not None:
            mention = _mention_of(subject, doc)
            if mention != Mention():
                return mention
    for token in doc:
        if token.lower_ == "according" and token.i + 2 <= len(doc) and doc[token.i + 1].lower_ == "to":
            to = doc[token.i + 1]
            objects = [c for c in to.children if c.dep_ == "pobj"]
            if objects:
                return _mention_of(objects[0], doc, own_words=True)
    # Not a statement, but "The Islamic State (ISIS) jihadist group ... threatened" tells who
    # "the group" is in the next sentences.
    for token in doc:
        if token.dep_ in _SUBJECTS and token.pos_ in ("NOUN", "PROPN"):
            mention = _mention_of(token, doc)
            if mention.name and mention.subject_head:
                return replace(mention, alias="@subject")
    return Mention()


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


def attribute(mentions: Sequence[Mention], texts: Sequence[str]) -> list[Speaker | None]:
    """Each sentence's speaker, in article order, from what each sentence names and the
    context before it (see the module docstring)."""
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
        elif speaker is None and text.lstrip()[:1] in _OPEN and found and found[-1] is not None:
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


def speakers(texts: Sequence[str]) -> list[Speaker | None]:
    """The speaker of each of an article's sentences (given in order)."""
    return attribute(mentions_of(texts), texts)
