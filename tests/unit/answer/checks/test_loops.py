

def test_a_sentence_the_model_repeats_marks_where_its_loop_began():
    from assistant.answer.checks.loops import repeated

    looping = "ISIS threatened Iran [1]. Another group claimed it too [1]. Another group claimed it too. Another group"
    assert looping[:repeated(looping)] == "ISIS threatened Iran [1]. Another group claimed it too [1]. "
    assert repeated("ISIS claimed it [1]. It killed 24 people [1].") is None
    assert repeated("Yes [1]. Yes [2].") is None  # too short to be a loop
