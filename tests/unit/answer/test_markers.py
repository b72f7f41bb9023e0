from assistant.answer.checks.uncited import drop_uncited
from assistant.answer.markers import claims


def test_markers_after_the_period_belong_to_the_sentence():
    assert claims("ISIS claimed it. [2] Khamenei blamed Iraq [1].") == [("ISIS claimed it.", [2]), ("Khamenei blamed Iraq.", [1])]


def test_markers_after_the_period_or_a_closing_quote_keep_their_sentence():
    text = 'Pompeo replied, "Blaming others is a mistake [1]. And the loss of life is tragic." [1] ISIS claimed it. [2]'
    assert drop_uncited(text) == text
