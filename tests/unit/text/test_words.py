from assistant.text.words import content_words, normalize_answer


def test_normalize_answer_and_content_words():
    assert normalize_answer("The Tony Awards!") == "tony awards"
    assert content_words("Who claimed the Ahvaz attack?") == ["claimed", "ahvaz", "attack"]
