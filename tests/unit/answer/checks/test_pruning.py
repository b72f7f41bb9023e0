from assistant.answer.checks.pruning import prune_unsupported

PASSAGES = [
    "Iran's Supreme Leader, Ayatollah Ali Khamenei, on Monday linked the attackers to Iraq and Syria.",
    "ISIS, which claimed the attack, on Sunday posted a video of three men. In the video, the three are seen in a vehicle.",
    'ISIS was not the only group to have claimed the shooting, as a movement called "Ahwaz National Resistance" also claimed responsibility.',
]


def test_a_sentence_citing_every_passage_keeps_those_that_name_its_answer():
    question = "Who claimed the Ahvaz attack?"
    pruned = prune_unsupported("ISIS claimed the attack [1][2][3]. Khamenei blamed Iraq [1].", PASSAGES, question)
    assert pruned == "ISIS claimed the attack [2][3]. Khamenei blamed Iraq [1]."
    # Each claimant's passage names its own group: both stay.
    both = "ISIS and the Ahwaz National Resistance both claimed it [2][3]."
    assert prune_unsupported(both, PASSAGES, question) == both


def test_pruning_never_leaves_a_sentence_uncited():
    question = "Who claimed the Ahvaz attack?"
    # No passage names "Hezbollah": the markers stay for the reader to check.
    assert prune_unsupported("Hezbollah claimed it [1][2].", PASSAGES, question) == "Hezbollah claimed it [1][2]."
    # Nothing added to the question's words: nothing to judge the passages by.
    assert prune_unsupported("The Ahvaz attack was claimed [1][2].", PASSAGES, question) == "The Ahvaz attack was claimed [1][2]."
    # Markers opening a sentence belong to the one before: not judged by this one's words.
    assert prune_unsupported('ISIS claimed it." [2][1] Khamenei blamed Iraq [1][2].', PASSAGES, question) == \
        'ISIS claimed it." [2][1] Khamenei blamed Iraq [1].'
    # A passage names "Iraq" when it says "Iraq's".
    assert prune_unsupported("Iraq was blamed [1][2].", ["Iraq's role", "Syria"], "Who was blamed?") == "Iraq was blamed [1]."
    # A run of markers left empty goes with its space.
    assert prune_unsupported("Khamenei blamed Iraq [1][2], not Saudi Arabia [2].", PASSAGES, question) == \
        "Khamenei blamed Iraq [1], not Saudi Arabia."
