from assistant.answer.checks.uncited import add_missing_markers, drop_uncited

PASSAGES = [
    "Iran's Supreme Leader, Ayatollah Ali Khamenei, on Monday linked the attackers to Iraq and Syria.",
    "ISIS, which claimed the attack, on Sunday posted a video of three men. In the video, the three are seen in a vehicle.",
    'ISIS was not the only group to have claimed the shooting, as a movement called "Ahwaz National Resistance" also claimed responsibility.',
]


def test_uncited_sentences_get_the_passage_that_supports_them():
    fixed = add_missing_markers("Khamenei linked the attackers to Iraq and Syria. The weather was nice.", PASSAGES)
    assert fixed == "Khamenei linked the attackers to Iraq and Syria [1]. The weather was nice."


def test_sentences_without_a_marker_are_dropped():
    assert drop_uncited("ISIS claimed the attack [2]. It was the deadliest attack in a decade.") == "ISIS claimed the attack [2]."
    assert drop_uncited("It was a shock. ISIS claimed the attack [2].") == "ISIS claimed the attack [2]."
    kept = 'ISIS claimed it [1].\n\nA second group also claimed it [3].'
    assert drop_uncited('ISIS claimed it [1].\n\nDetails are unclear.\n\nA second group also claimed it [3].') == kept
