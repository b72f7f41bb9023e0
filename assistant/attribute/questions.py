"""What a question asks about a speaker: "According to X, ...", "What did X say/call...",
"Who said ...". Read from spaCy's parse of the question, not from its wording alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import names
from .parse import entities_in, phrase, says, trim

_WH = {"who", "whom", "which", "what"}
_AUXILIARIES = {"did", "does", "do", "has", "have", "had", "will", "would"}
# A quotation in a question: its marks stand apart from words, so "Trump's" opens none.
_QUOTED = re.compile(r"""(?:^|(?<=[\s(]))['‘"“]([^'’"”]{4,}?)['’"”](?=[\s?.,!;:)]|$)""")


def quoted(question: str) -> str:
    """The words a question quotes ("Who said 'something in a banana republic'?"), if any."""
    return " ".join(m.group(1) for m in _QUOTED.finditer(question))


@dataclass(frozen=True)
class Asked:
    """`kind` is "according-to" (the question relays X's claim), "what-did-say" (it asks
    what X said) or "who-said" (it asks who said something); `speaker` is X as the
    question names it, with its entity kind."""

    kind: str
    speaker: str = ""
    speaker_kind: str = ""


def _describes(entity) -> bool:
    """Whether a name only describes the speaker: "the ISIS spokesman", "Trump's lawyer"."""
    root = entity.root
    return root.dep_ in ("compound", "poss", "nmod") and root.head.pos_ == "NOUN" and root.head.i >= entity.end


def _name_in(span, doc) -> tuple[str, str]:
    """The speaker a span of the question names: a person, else an organisation, else a
    group ("the Saudi foreign ministry")."""
    entities = entities_in(span, doc)
    if entities and entities[0].label_ in ("PERSON", "ORG"):
        if _describes(entities[0]):
            return "", ""
        return trim(entities[0].text), entities[0].label_
    nouns = [t for t in span if t.dep_ in ("nsubj", "nsubjpass", "pobj") and t.pos_ in ("NOUN", "PROPN")]
    if nouns and (entities or nouns[0].pos_ == "PROPN"):  # a named group, not "the group"
        proper = [t for t in nouns[0].lefts if t.pos_ == "PROPN"] + [nouns[0]] if nouns[0].pos_ == "PROPN" else []
        words = phrase(nouns[0])
        if not any(w[:1].isupper() for w in words.split()):
            return "", ""  # "Fiji's minister of defense" read as "minister": too vague to pick out a speaker by
        return words, "PERSON" if len(proper) > 1 and names.name_words(words) else "GROUP"
    return "", ""


def _appositive_name(segment, doc) -> bool:
    """Whether a comma-delimited segment is only a person's name (", Mawlawi Sharafuddin
    Muslim,"), not a clause that happens to name one (", what share of Americans feel
    that Donald Trump ...")."""
    people = [ent for ent in entities_in(segment, doc) if ent.label_ == "PERSON"]
    return bool(people) and len(segment) - len(people[0]) <= 2


def read_question(doc) -> Asked | None:
    """The attribution a parsed question asks about, or None."""
    for token in doc:  # "Who said ...", "Which official called ...", "Who was quoted as saying ..."
        if says(token):
            for child in token.children:
                # "Which company is being accused of ..." asks who was spoken of, not who spoke.
                subject = child.dep_ == "nsubj" or (child.dep_ == "nsubjpass" and token.lemma_.lower() == "quote")
                if subject and (child.lower_ in _WH or any(t.lower_ in _WH for t in child.lefts)):
                    return Asked("who-said")
    for token in doc:  # "According to X, ..."
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            # Up to the clause's comma, or the next one when an office comes first
            # ("According to Afghanistan's Deputy Minister ..., Mawlawi Sharafuddin Muslim, how ...").
            commas = [t.i for t in doc[token.i + 2:] if t.is_punct] + [len(doc)]
            name, kind = _name_in(doc[token.i + 2: commas[0]], doc)
            if kind != "PERSON" and len(commas) > 1 and _appositive_name(doc[commas[0] + 1: commas[1]], doc):
                name, kind = next(((n, k) for n, k in [_name_in(doc[token.i + 2: commas[1]], doc)] if k == "PERSON"), (name, kind))
            if name:
                return Asked("according-to", name, kind)
    if any(t.lower_ in _WH | {"how"} for t in doc):  # "What did X call ...", "How did X describe ..."
        for token in doc:
            if says(token):
                # "Which group claimed ..." asks who; "What did X call ..." asks what X said.
                subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in _WH
                            and not any(t.lower_ in _WH for t in c.lefts)]
                if subjects:
                    name, kind = _name_in(doc[subjects[0].left_edge.i: subjects[0].right_edge.i + 1], doc)
                    if name:
                        return Asked("what-did-say", name, kind)
        # The small parser often takes "did" for the main verb ("What did X call Y?"): then
        # the speaker is the person (else organisation) named before the speech verb.
        verb = next((t for t in doc if says(t) and t.lower_ not in _WH), None)
        asks = verb is not None and any(t.lower_ in _AUXILIARIES for t in doc[:verb.i])  # not "Which virus is making WHO declare ...?"
        if verb is not None and asks:
            named = [ent for ent in entities_in(doc[:verb.i], doc) if ent.label_ in ("PERSON", "ORG")]
            if named and not _describes(named[0]):
                return Asked("what-did-say", trim(named[0].text), named[0].label_)
    return None


def asked(question: str) -> Asked | None:
    """What the question asks about a speaker, read from its first sentence with a question
    word: a quiz's lead-in ("President Biden on Wednesday announced student loan relief.
    How much will borrowers receive?") sets the scene and asks nothing of Biden."""
    from ..providers.nlp import parser

    doc = parser()(question)
    sentences = list(doc.sents)
    if len(sentences) == 1:
        return read_question(doc)
    asking = next((s for s in sentences if any(t.lower_ in _WH | {"how"} for t in s)), sentences[-1])
    return read_question(asking.as_doc())
