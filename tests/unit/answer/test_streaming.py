from assistant.answer.streaming import MarkerFilter


def test_streaming_filter_never_shows_a_bad_marker():
    stream = MarkerFilter(3)
    shown = "".join(stream.feed(t) for t in ["ISIS [", "2", "] and", " [", "12", "] x", " [Passage ", "3]"]) + stream.flush()
    assert shown == "ISIS [2] and x [3]"


def test_refusal_hold_shows_nothing_of_a_refusal_and_everything_of_an_answer():
    from assistant.answer.streaming import RefusalHold

    hold = RefusalHold()
    assert [hold.feed(t) for t in ["The", " indexed", " articles", " don't", " say."]] == ["", "", "", "", ""]
    hold = RefusalHold()
    assert "".join(hold.feed(t) for t in ["The indexed articles don’t say.", "\n", "However, [2] says so."]) == ""
    hold = RefusalHold()
    assert "".join(hold.feed(t) for t in ["The", " average", " price", " is $5 [1]."]) == "The average price is $5 [1]."
