"""An answer that puts a statement in someone's mouth ("X said ...", "According to X, ...",
or any answer to "What did X say?") must cite a sentence that X says. Otherwise it is
corrected from the evidence (X's own sentence, or for "Who said ...?" the real speaker) or
refused (`misattributed`), saying who did say it."""

from __future__ import annotations

from typing import Any

from ...attribute.evidence import attribute, looks_attributive, speaker_of, statements_of
from ...attribute.names import matches, vague
from ...attribute.questions import quoted as words_quoted
from ...text.words import named
from ...types import Excerpt, Refusal
from ..markers import claims
from ..quotes import Cited, supporting_sentences
from .base import Draft
from .quoting import as_answer


def _claimed(sentence: str, first: bool, asked: Any) -> tuple[str, str] | None:
    """(name, kind) of whom an answer sentence says is speaking, if anyone."""
    from ...attribute.parse import entities_in, read_sentence
    from ...providers.nlp import parser

    doc = parser()(sentence)
    mention = read_sentence(doc, quoted_first=False)
    if mention.name and mention.alias != "@subject":
        return mention.name, mention.kind
    if not first or asked is None:
        return None
    if asked.kind == "who-said":  # "Sean Cahill [1]." names the speaker without a verb
        named = [ent for ent in entities_in(doc[:], doc) if ent.label_ in ("PERSON", "ORG")]
        return (named[0].text, named[0].label_) if named else None
    return asked.speaker, asked.speaker_kind


def _evidence(draft: Draft, claim: str, numbers: list[int], quoted: bool) -> list[tuple[Excerpt, str]]:
    """The sentence of each cited passage whose words are put in a mouth: the one naming most
    of what the claim adds to the question, or with `quoted` ("Who said X?") those holding
    most of the words the question quotes (else its own), the closest to it first: with
    two sentences as close to the question ("Who called the Ahvaz attack a cowardly act?"),
    either may be the one meant."""
    found = []
    for n in numbers:
        if 1 <= n <= len(draft.excerpts):
            excerpt = draft.excerpts[n - 1]
            if quoted:
                wanted = named(words_quoted(draft.question) or draft.question)
                order = {s.text: i for i, s in enumerate(excerpt.ranked or excerpt.sentences)}
                shared = {t: len(wanted & named(t)) for t in excerpt.sentence_texts}
                most = max(shared.values(), default=0)
                found += [(excerpt, t) for t in sorted(shared, key=lambda t: order.get(t, len(order))) if most and shared[t] == most]
            else:
                found += [(excerpt, s) for s in supporting_sentences(claim, excerpt.sentence_texts, limit=1, question=draft.question)]
    return found


def _beside(excerpt: Excerpt, sentence: str, name: str, kind: str) -> bool:
    """Whether the sentence next to `sentence` in its article is `name`'s: a figure or a
    fact told right after (or before) their words is most likely theirs too."""
    texts = excerpt.sentence_texts
    if sentence not in texts:
        return False
    i = texts.index(sentence)
    return any((who := speaker_of(excerpt, excerpt.sentences[j])) is not None and matches(name, kind, who)
               for j in (i - 1, i + 1) if 0 <= j < len(texts))


def check(draft: Draft) -> None:
    asked = draft.asked
    if asked is None and not looks_attributive(draft.text):
        return
    found = claims(draft.text)
    if not found:
        return
    attribute(draft.excerpts)
    for i, (claim, numbers) in enumerate(found):
        claimed = _claimed(claim, i == 0, asked)
        if claimed is None:
            continue
        name, kind = claimed
        if vague(name):
            continue  # "the minister", "House": nothing to tell one speaker from another by
        # "Who said X?" attributes the question's words; other answers their own.
        evidence = _evidence(draft, claim, numbers, quoted=asked is not None and asked.kind == "who-said" and i == 0)
        said = [(e, s, who) for e, s in evidence if (who := speaker_of(e, s)) is not None]
        if any(matches(name, kind, who) for _, _, who in said):
            continue
        if not said and (asked is None or any(_beside(e, s, name, kind) for e, s in evidence)):
            # The cited sentence names no speaker: in an answer to a question about facts
            # ("The Dodgers called games for Vin Scully") there is no one to contradict; in
            # one about someone's words, the sentence before or after it may be theirs.
            continue
        _misattributed(draft, name, kind, said)
        return


def _misattributed(draft: Draft, name: str, kind: str, said: list) -> None:
    asked = draft.asked
    if asked is not None and asked.kind == "who-said" and said:
        excerpt, sentence, who = said[0]
        draft.text = f"{who.name} said it [{excerpt.n}]."
        draft.cited = [Cited(excerpt.n, sentence)]
        draft.corrected_by = Refusal.MISATTRIBUTED
        return
    # "What did X say ...?" is answered by whatever X says there on it; "According to X,
    # how many ...?" asks for X's figure, which another speaker's sentence does not give.
    theirs = statements_of(draft.excerpts, name, kind) if asked is not None and asked.kind == "what-did-say" else []
    if theirs:  # the person asked about does speak in the passages: their own words answer
        excerpt, sentence = theirs[0]
        who = speaker_of(excerpt, sentence)
        assert who is not None
        draft.text = as_answer(sentence.text, who, excerpt.n)
        draft.cited = [Cited(excerpt.n, sentence.text)]
        draft.corrected_by = Refusal.MISATTRIBUTED
        return
    draft.refuse(Refusal.MISATTRIBUTED)
    if said:
        excerpt, sentence, who = said[0]
        draft.reply = f"The passages quote {who.name} on this, not {name}: {as_answer(sentence, who, excerpt.n)}"
        draft.cited = [Cited(excerpt.n, sentence)]
    else:
        draft.reply = f"None of the passages cited quotes {name} on this."
        draft.cited = []
