from assistant.answer.checks.counts import uncounted


def test_a_count_must_come_with_something_the_question_asks_about():
    passages = ["Two of the men spoke Arabic. The attack killed 24 people.", "LeBron scored 38 on Sunday."]
    assert uncounted("Two suspects were arrested [1].", passages, "How many suspects were arrested?")
    assert not uncounted("24 people were killed [1].", passages, "How many people died in the attack?")
    assert not uncounted("He scored 38 [2].", passages, "How many points did LeBron score?")
    assert not uncounted("Two men spoke Arabic [1].", passages, "How many men spoke Arabic?")
    # Only the direct answer of a "how many" question is judged.
    assert not uncounted("Two suspects were held [1].", passages, "Who was arrested?")
    assert not uncounted("They arrested some [1]. Two suspects fled [1].", passages, "How many suspects were arrested?")
