from assistant.answer.markers import clean_markers, marker_count


def test_invalid_markers_are_dropped_and_groups_split():
    text, dropped = clean_markers("ISIS claimed it [2][7]. Another group did too [3, 9] [Passage 1].", 3)
    assert text == "ISIS claimed it [2]. Another group did too [3][1]."
    assert dropped == 2
    assert marker_count("a [1, 2] b [3]") == 3
    # A marker keeps its space when the invalid one before it goes.
    assert clean_markers("The deal is near [9][1]. Biden won[2].", 3)[0] == "The deal is near [1]. Biden won [2]."


def test_the_check_counts_the_markers_it_drops():
    from assistant.answer.checks.base import Draft
    from assistant.answer.checks.valid_markers import clean
    from assistant.types import Excerpt, Passage, Sentence

    passage = Passage(id="c", source="a.txt", title="", published="", url="", text="ISIS claimed it.", chunk=0)
    only = Excerpt(n=1, passages=[passage], sentences=[Sentence(0, "ISIS claimed it.", "c")])
    draft = Draft("ISIS claimed it [1, 4][9].", [only], "Who claimed it?", "2018-09-28")
    clean(draft)
    assert draft.text == "ISIS claimed it [1]." and draft.dropped_markers == 2
