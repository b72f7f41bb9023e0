

def test_restates_only_an_answer_that_is_the_whole_question():
    from assistant.answer.checks.restates import restates

    question = "A processed cheese product is seeing a boost in popularity right now. Which product is it?"
    assert restates("A processed cheese product is seeing a boost in popularity right now [1].", question)
    assert not restates("Velveeta is seeing a boost in popularity right now [1].", question)
    assert not restates("Biden won [1].", "Who won, Biden or Trump?")


def test_restates_leaves_answers_to_yes_no_questions_alone():
    from assistant.answer.checks.restates import restates

    assert not restates("Velveeta is seeing a boost in popularity [1].", "Is Velveeta seeing a boost in popularity?")
    assert not restates("Velveeta isn't seeing a boost in popularity [1].", "Velveeta is seeing a boost in popularity: why?")
