from assistant.answer.checks.corroboration import cite_corroborating, corroborated

PASSAGES = [
    "Iran's Supreme Leader, Ayatollah Ali Khamenei, on Monday linked the attackers to Iraq and Syria.",
    "ISIS, which claimed the attack, on Sunday posted a video of three men. In the video, the three are seen in a vehicle.",
    'ISIS was not the only group to have claimed the shooting, as a movement called "Ahwaz National Resistance" also claimed responsibility.',
]


def test_the_direct_answer_also_cites_the_other_passages_naming_it():
    question = "Who claimed the Ahvaz attack?"
    # Passages 2 and 3 both name ISIS; 1 does not. Only the first sentence is the direct answer.
    assert cite_corroborating("ISIS claimed the attack [2]. Khamenei blamed Iraq [1].", PASSAGES, question) == \
        "ISIS claimed the attack [2][3]. Khamenei blamed Iraq [1]."
    # The model's markers stay as written, the others follow, at most `most` in all.
    assert cite_corroborating("ISIS claimed it [3]", PASSAGES, question) == "ISIS claimed it [3][2]"
    assert cite_corroborating("ISIS claimed it [3].", PASSAGES + ["ISIS claimed it."], question, most=2) == "ISIS claimed it [3][2]."
    assert cite_corroborating("ISIS claimed it [3][3].", PASSAGES, question) == "ISIS claimed it [3][3][2]."
    # Inside a quotation the markers go before its closing punctuation, like the model's.
    assert cite_corroborating('They said "ISIS claimed it [3]."', PASSAGES, question) == 'They said "ISIS claimed it [3][2]."'
    # A marker inside the sentence stays where it is.
    assert cite_corroborating("ISIS [3] claimed it.", PASSAGES, question) == "ISIS [3] claimed it [2]."
    # A passage must name every name the answer adds: "Ahwaz National Resistance" is only in 3.
    both = "ISIS and the Ahwaz National Resistance claimed it [3]."
    assert cite_corroborating(both, PASSAGES, question) == both


def test_corroboration_leaves_uncertain_answers_alone():
    question = "Who claimed the Ahvaz attack?"
    for text in ["ISIS did not claim the attack [2].",  # negated
                 "The Ahvaz attack was claimed [2].",  # names nothing the question does not
                 "ISIS claimed the attack.",  # no marker to start from
                 "ISIS claimed it [1][2][3].",  # already as many as allowed
                 "ISIS claimed it [3]\n\n[1] Khamenei blamed Iraq."]:  # [1] is the first sentence's too
        assert cite_corroborating(text, PASSAGES, question) == text


def test_an_answer_is_corroborated_when_two_articles_name_it():
    question = "Who will play Billy Batson in Shazam?"
    texts = ["Andi Mack star Asher Angel will play Billy Batson in DC's Shazam.",
             "Disney star Asher Angel has snagged the role of Billy Batson.",
             "Billy Batson is the alter ego of Captain Marvel."]
    assert corroborated("Asher Angel will play Billy Batson [1][2]. He is a Disney star [2].", texts, question, cited=[0])
    assert not corroborated("Asher Angel will play Billy Batson [3].", texts, question, cited=[2])  # the cited one does not
    assert not corroborated("Asher Angel will play Billy Batson [1].", texts[:1] + texts[2:], question, cited=[0])
    # Nothing added to the question: nothing for the articles to name.
    assert not corroborated("Billy Batson will be played in Shazam [1].", texts, question, cited=[0])
    assert not corroborated("Asher Angel is not confirmed to play Billy Batson [1].", texts, question, cited=[0])
    assert corroborated("Angel [2].", texts, question, cited=[1])  # the answer's name may open it


def test_corroboration_needs_a_name_or_number_beyond_the_question():
    question = "What did the city council approve?"
    texts = ["The council approved the budget on Monday.", "The council approved new bike lanes."]
    assert not corroborated("The city council approved it [1].", texts, question, cited=[0])
    texts = ["The council approved a $2 billion budget.", "Councillors passed a $2 billion budget."]
    assert corroborated("A $2 billion budget [1].", texts, question, cited=[1])
