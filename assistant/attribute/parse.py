"""One sentence's speaker, from spaCy's dependency parse and named entities.

A sentence is someone's statement when a speech verb ("said", "told", "accused",
"blamed", "called", "was quoted as saying"...) has them as its subject, or when it says
"according to X". The speaker is the named person (else organisation) in that subject:
"Iran's Supreme Leader, Ayatollah Ali Khamenei, linked..." is Khamenei. What a sentence
leaves open ("he said", "the group said") is a `Mention` the article's context resolves
(speakers.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

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
_NAMED = ("PERSON", "ORG", "NORP", "GPE", "FAC")
_PRONOUNS = frozenset({"he", "she", "him", "her"})
_RELATIVE = {"who", "which", "that"}
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


def _according_to(subject, doc) -> Mention:
    """The speaker of "according to X": X's own words, or when they name no person, the
    person named in apposition ("according to Afghanistan's Deputy Minister of State,
    Mawlawi Sharafuddin Muslim, ..."), leaving out clauses that only describe X."""
    own = _mention_of(subject, doc, own_words=True)
    if own.kind == "PERSON" or own.pronoun:
        return own
    clauses = {t.i for c in subject.subtree if c.dep_ in ("acl", "relcl") for t in c.subtree}
    span = doc[subject.left_edge.i: subject.right_edge.i + 1]
    person = next((ent for ent in entities_in(span, doc) if ent.label_ == "PERSON" and ent.start not in clauses), None)
    if person is None:
        return own
    return Mention(name=trim(person.text), kind="PERSON", alias=trim(doc[span.start: person.start].text))


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
                return _according_to(objects[0], doc)
    # Not a statement, but "The Islamic State (ISIS) jihadist group ... threatened" tells who
    # "the group" is in the next sentences.
    for token in doc:
        if token.dep_ in _SUBJECTS and token.pos_ in ("NOUN", "PROPN"):
            mention = _mention_of(token, doc)
            if mention.name and mention.subject_head:
                return replace(mention, alias="@subject")
    return Mention()
