from assistant.answer.checks.numbers import invented_numbers


def test_invented_numbers_ignore_markers_spelling_and_formatting():
    passages = ["The attack killed 24 people on 2018-09-22; four suspects fled with $1,000."]
    assert invented_numbers("It killed 24 people [1] on September 22 [1].", passages, "How many?") == set()
    assert invented_numbers("Four suspects [1] took 1000 dollars [1].", passages, "") == set()
    assert invented_numbers("Two suspects were arrested [1].", passages, "How many suspects?") == {"2"}
    assert invented_numbers("It happened in 2019 [1].", passages, "") == {"2019"}
    assert invented_numbers("Not since 2019 [1].", passages, "Did it happen in 2019?") == set()
