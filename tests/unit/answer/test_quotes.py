from assistant.answer.quotes import quotes, supporting_sentences

PASSAGES = [
    "Iran's Supreme Leader, Ayatollah Ali Khamenei, on Monday linked the attackers to Iraq and Syria.",
    "ISIS, which claimed the attack, on Sunday posted a video of three men. In the video, the three are seen in a vehicle.",
    'ISIS was not the only group to have claimed the shooting, as a movement called "Ahwaz National Resistance" also claimed responsibility.',
]


def test_quotes_are_verbatim_supporting_sentences():
    answer = 'ISIS claimed the attack [2]. The "Ahwaz National Resistance" also claimed responsibility [3].'
    cited = quotes(answer, PASSAGES, "Who claimed the Ahvaz attack?")
    assert [c.n for c in cited] == [2, 3]
    assert cited[0].quote == "ISIS, which claimed the attack, on Sunday posted a video of three men."
    assert cited[1].quote in PASSAGES[2]
    for c in cited:
        for piece in c.quote.split(" … "):
            assert piece in PASSAGES[c.n - 1]


def test_a_quote_shows_the_sentence_that_names_the_answer():
    passage = ["The 2020 presidential election results were certified in December 2020.",
               "Biden carried Georgia by 11,779 votes."]
    cited = quotes("Joe Biden won the 2020 presidential election [1].", [passage], "Who won the 2020 presidential election?")
    assert cited[0].quote == " … ".join(passage)


def test_a_question_naming_nothing_in_the_passage_is_not_quoted_a_byline():
    # Seen with `chat --llm none`: "how many died?" shares no word with the seed article,
    # and the shortest sentence, its byline "Ben Ariel ,", became the quote.
    sentences = ["Jihadist group threatens new attacks in Iran.", "Ben Ariel ,",
                 "The attack targeted a parade in Khuzestan province."]
    assert supporting_sentences("how many died?", sentences) == [sentences[0]]
    assert supporting_sentences("Who is Ben Ariel?", sentences) == ["Ben Ariel ,"]  # unless it is what was asked
    # Given the sentences closest in meaning, the closest that is not a fragment.
    closest = ["Ben Ariel ,", sentences[2], sentences[0]]
    assert supporting_sentences("how many died?", sentences, prefer=closest) == [sentences[2]]
    assert supporting_sentences("Who is Ben Ariel?", sentences, prefer=closest) == ["Ben Ariel ,"]
