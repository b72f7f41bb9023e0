"""Each cited passage is quoted by the sentences backing the claims; nothing cited, refused."""

from assistant.answer.checks.base import Draft
from assistant.answer.checks.quoted import cite
from assistant.types import Excerpt, Passage, Refusal, Sentence


def excerpt(n: int, *sentences: str) -> Excerpt:
    passage = Passage(id=f"c{n}", source=f"a{n}.txt", title="", published="", url="", text=" ".join(sentences), chunk=0)
    parts, start = [], 0
    for text in sentences:
        parts.append(Sentence(start, text, passage.id))
        start += len(text) + 1
    return Excerpt(n=n, passages=[passage], sentences=parts, shown=parts)


def test_each_cited_passage_gets_its_supporting_sentence():
    excerpts = [excerpt(1, "The mayor spoke on Monday.", "ISIS claimed the attack in Ahvaz.")]
    draft = Draft("ISIS claimed it [1].", excerpts, "Who claimed the Ahvaz attack?", "2018-09-28")
    cite(draft)
    assert draft.refused_by is None and [(c.n, c.quote) for c in draft.cited] == [(1, "ISIS claimed the attack in Ahvaz.")]


def test_an_answer_citing_nothing_is_refused():
    draft = Draft("Nobody knows.", [excerpt(1, "ISIS claimed the attack.")], "Who claimed it?", "2018-09-28")
    cite(draft)
    assert draft.refused_by is Refusal.UNCITED
