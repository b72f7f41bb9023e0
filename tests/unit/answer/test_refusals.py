from assistant.answer.quotes import supporting_sentences
from assistant.answer.refusals import is_refusal


def test_refusal_detection():
    assert is_refusal("The indexed articles don't say.")
    assert is_refusal("The passages do not mention who won.")
    assert not is_refusal("ISIS claimed the attack [2].")
    assert supporting_sentences("Syria", "") == []
