import pytest

from assistant.answer.checks.premise import lead_with_answer


def test_an_opening_sentence_repeating_the_question_gives_way_to_the_answer():
    # Seen on rtqa-dev: the 1.5B model restates a long question's premise before answering.
    question = ("The GOP's most outspoken critic of former President Donald Trump was booted from her "
                "House seat this week. What is her name?")
    echo = "The GOP's most outspoken critic of former President Donald Trump was booted from her House seat this week"
    assert lead_with_answer(f"{echo} [2]. Liz Cheney lost her primary [3].", question) == "Liz Cheney lost her primary [3]."
    # The markers written after its period go with it.
    assert lead_with_answer(f"{echo}. [2] Liz Cheney lost [3].", question) == "Liz Cheney lost [3]."


@pytest.mark.parametrize("text, question", [
    # The first sentence adds the answer.
    ("Liz Cheney was booted from her House seat this week [2]. She lost [2].", "Who was booted from her House seat this week?"),
    # Short answers in the question's words are answers.
    ("Biden won [1]. He took 306 electoral votes [1].", "Which candidate won, Biden or Trump?"),
    # Yes/no questions, also after a premise.
    ("The vaccine will be available next month [1]. Officials said so [1].",
     "A new vaccine was announced. Will the vaccine be available next month?"),
    # Negated: the question's words are the answer.
    ("The GOP critic was not booted from her House seat this week [1]. Liz Cheney won [1].",
     "The GOP critic was booted from her House seat this week. Who is she?"),
    # One of the premise's names is the answer.
    ("Harriet Hageman won the Wyoming primary this week [1]. The race was called on Tuesday [1].",
     "Both Harriet Hageman and Liz Cheney ran in the Wyoming primary this week. Who won?"),
    # Yes/no in any sentence, contractions too.
    ("The new vaccine will be available to children next month [1]. The FDA approved it [1].",
     "Will the new vaccine be available to children next month? Who approved it?"),
    ("The Senate passed the infrastructure bill this week [1]. The vote was 69-30 [1].",
     "The infrastructure bill was debated. Hasn't the Senate passed the infrastructure bill this week?"),
    # What follows hands the question back too.
    ("Iranian authorities blamed jihadist separatists for the assault in Ahvaz [1]. The assault did kill people [1].",
     "Iranian authorities blamed jihadist separatists for the assault in Ahvaz. How many people did the assault kill?"),
    # A question without a premise.
    ("A head of state announced his resignation this week [1]. Boris Johnson quit [1].",
     "Which head of state announced his resignation this week?"),
    # Nothing cited follows.
    ("The GOP critic was booted from her House seat this week [1]. Liz Cheney.",
     "The GOP critic was booted from her House seat this week. Who is she?"),
])
def test_an_opening_sentence_that_answers_stays(text, question):
    assert lead_with_answer(text, question) == text
