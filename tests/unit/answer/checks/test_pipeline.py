"""The two ordered lists of checks: what each refuses, in which order, and that the first
refusal ends a run."""

from datetime import date

from assistant.answer.checks import AFTER_MODEL, BEFORE_MODEL, Draft, Inquiry, after_model, before_model
from assistant.types import Excerpt, Passage, Refusal, Sentence


def excerpt(n: int, text: str, title: str = "Attack in Ahvaz", published: str = "2018-09-24") -> Excerpt:
    passage = Passage(id=f"c{n}", source=f"a{n}.txt", title=title, published=published, url="", text=text, chunk=0,
                      similarity=0.6)
    sentences = [Sentence(0, text, passage.id)]
    return Excerpt(n=n, passages=[passage], sentences=sentences, shown=list(sentences))


class Mentions:
    """The keyword index as the name check sees it: which names any article mentions."""

    def __init__(self, *names: str) -> None:
        self.names = {name.lower() for name in names}

    def mentions(self, name: str) -> bool:
        return name.lower() in self.names


PASSAGE = "ISIS claimed the attack in Ahvaz, which killed 24 people."


def test_the_checks_before_the_model_run_in_their_declared_order():
    assert [check.__module__.rsplit(".", 1)[1] for check in BEFORE_MODEL] == [
        "relevance", "unknown_names", "unmentioned_names", "freshness", "speaker_premise"]
    unrelated = Passage(id="x", source="x.txt", title="", published="", url="", text="Rain.", chunk=0, similarity=0.05)
    # Nothing close and an unknown name: the first check in the list is the one that answers.
    verdict = before_model(Inquiry("Who is Zorblax?", [unrelated], None, Mentions(), has_model=True))
    assert verdict == (Refusal.NO_RELEVANT_PASSAGE, "", ())
    relevant = excerpt(1, PASSAGE).first
    assert before_model(Inquiry("Who is Zorblax?", [relevant], None, Mentions(), True))[0] is Refusal.UNKNOWN_NAME
    assert before_model(Inquiry("Who attacked Ahvaz?", [relevant], None, Mentions("Ahvaz"), True)) is None


def test_the_checks_after_the_model_rewrite_in_order_and_stop_at_the_first_refusal():
    assert [check.__module__.rsplit(".", 1)[1] for check in AFTER_MODEL] == [
        "loops", "valid_markers", "passage_talk", "obeyed", "numbers", "counts", "uncited", "premise", "pruning", "corroboration", "quoted",
        "attribution"]
    excerpts = [excerpt(1, PASSAGE), excerpt(2, "ISIS posted a video of the attackers.")]
    draft = after_model(Draft("According to passage 1, ISIS claimed the attack [1][7].", excerpts,
                              "Who claimed the Ahvaz attack?", "2018-09-28"))
    assert draft.refused_by is None
    assert draft.text == "ISIS claimed the attack [1][2]."  # talk of the passage gone, [7] dropped, [2] corroborates
    assert draft.dropped_markers == 1 and draft.own_markers == {1}
    assert [(c.n, c.quote) for c in draft.cited] == [(1, PASSAGE), (2, "ISIS posted a video of the attackers.")]
    # A number no passage states refuses before anything is quoted.
    refused = after_model(Draft("ISIS killed 31 people [1].", excerpts, "How many did the attack kill?", "2018-09-28"))
    assert refused.refused_by is Refusal.UNSUPPORTED_NUMBER and refused.cited == []


def test_every_refusal_reason_is_one_of_the_documented_values():
    assert [r.value for r in Refusal] == [
        "no relevant passage", "unknown name", "name not in passages", "out of date", "all withheld", "model",
        "unsupported number", "unsupported count", "uncited", "planted instruction", "misattributed"]
    assert str(Refusal.UNCITED) == "uncited"


def test_a_freshness_refusal_names_the_newest_article():
    old = excerpt(1, PASSAGE, published="2018-09-24").first
    verdict = before_model(Inquiry("What happened in Ahvaz this week?", [old], date(2019, 6, 1), Mentions("Ahvaz"), True))
    assert verdict is not None and verdict[0] is Refusal.OUT_OF_DATE and "2018-09-24" in verdict[1]
