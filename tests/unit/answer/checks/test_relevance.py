"""Nothing retrieved is close to the question: refused before the model."""

from assistant.answer.checks.base import Inquiry
from assistant.answer.checks.relevance import MIN_SIMILARITY, check, relevant
from assistant.types import Passage, Refusal


def passage(similarity: float | None) -> Passage:
    return Passage(id="c", source="a.txt", title="", published="", url="", text="Text.", chunk=0, similarity=similarity)


def test_one_close_passage_is_enough():
    assert relevant([passage(0.05), passage(MIN_SIMILARITY)])
    assert not relevant([passage(0.05), passage(None)])  # found by keywords only, with no similarity known
    assert not relevant([])


def test_the_check_refuses_with_no_reason_to_add():
    far = Inquiry("Who won the World Cup?", [passage(0.1)], None, lexical=None, has_model=True)
    assert check(far) == (Refusal.NO_RELEVANT_PASSAGE, "", ())
    assert check(Inquiry("Who won?", [passage(0.5)], None, lexical=None, has_model=True)) is None
