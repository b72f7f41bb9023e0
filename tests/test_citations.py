import pytest

from assistant.citations import (MarkerFilter, add_missing_markers, claims, clean_markers, drop_uncited, is_refusal,
                                 marker_count, prune_unsupported, quotes, supporting_sentences)
from assistant.citations import cite_corroborating, lead_with_answer

PASSAGES = [
    "Iran's Supreme Leader, Ayatollah Ali Khamenei, on Monday linked the attackers to Iraq and Syria.",
    "ISIS, which claimed the attack, on Sunday posted a video of three men. In the video, the three are seen in a vehicle.",
    'ISIS was not the only group to have claimed the shooting, as a movement called "Ahwaz National Resistance" also claimed responsibility.',
]


def test_invalid_markers_are_dropped_and_groups_split():
    text, dropped = clean_markers("ISIS claimed it [2][7]. Another group did too [3, 9] [Passage 1].", 3)
    assert text == "ISIS claimed it [2]. Another group did too [3][1]."
    assert dropped == 2
    assert marker_count("a [1, 2] b [3]") == 3
    # A marker keeps its space when the invalid one before it goes.
    assert clean_markers("The deal is near [9][1]. Biden won[2].", 3)[0] == "The deal is near [1]. Biden won [2]."


def test_streaming_filter_never_shows_a_bad_marker():
    stream = MarkerFilter(3)
    shown = "".join(stream.feed(t) for t in ["ISIS [", "2", "] and", " [", "12", "] x", " [Passage ", "3]"]) + stream.flush()
    assert shown == "ISIS [2] and x [3]"


def test_quotes_are_verbatim_supporting_sentences():
    answer = 'ISIS claimed the attack [2]. The "Ahwaz National Resistance" also claimed responsibility [3].'
    cited = quotes(answer, PASSAGES, "Who claimed the Ahvaz attack?")
    assert [c.n for c in cited] == [2, 3]
    assert cited[0].quote == "ISIS, which claimed the attack, on Sunday posted a video of three men."
    assert cited[1].quote in PASSAGES[2]
    for c in cited:
        for piece in c.quote.split(" … "):
            assert piece in PASSAGES[c.n - 1]


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


def test_a_quote_shows_the_sentence_that_names_the_answer():
    passage = ["The 2020 presidential election results were certified in December 2020.",
               "Biden carried Georgia by 11,779 votes."]
    cited = quotes("Joe Biden won the 2020 presidential election [1].", [passage], "Who won the 2020 presidential election?")
    assert cited[0].quote == " … ".join(passage)


def test_markers_after_the_period_belong_to_the_sentence():
    assert claims("ISIS claimed it. [2] Khamenei blamed Iraq [1].") == [("ISIS claimed it.", [2]), ("Khamenei blamed Iraq.", [1])]


def test_uncited_sentences_get_the_passage_that_supports_them():
    fixed = add_missing_markers("Khamenei linked the attackers to Iraq and Syria. The weather was nice.", PASSAGES)
    assert fixed == "Khamenei linked the attackers to Iraq and Syria [1]. The weather was nice."


def test_refusal_detection():
    assert is_refusal("The indexed articles don't say.")
    assert is_refusal("The passages do not mention who won.")
    assert not is_refusal("ISIS claimed the attack [2].")
    assert supporting_sentences("Syria", "") == []


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


def test_sentences_without_a_marker_are_dropped():
    assert drop_uncited("ISIS claimed the attack [2]. It was the deadliest attack in a decade.") == "ISIS claimed the attack [2]."
    assert drop_uncited("It was a shock. ISIS claimed the attack [2].") == "ISIS claimed the attack [2]."
    kept = 'ISIS claimed it [1].\n\nA second group also claimed it [3].'
    assert drop_uncited('ISIS claimed it [1].\n\nDetails are unclear.\n\nA second group also claimed it [3].') == kept


def test_an_opening_sentence_repeating_the_question_gives_way_to_the_answer():
    # Seen on rtqa-dev: the 1.5B model restates a long question's premise before answering.
    question = ("The GOP's most outspoken critic of former President Donald Trump was booted from her "
                "House seat this week. What is her name?")
    echo = "The GOP's most outspoken critic of former President Donald Trump was booted from her House seat this week"
    assert lead_with_answer(f"{echo} [2]. Liz Cheney lost her primary [3].", question) == "Liz Cheney lost her primary [3]."
    # The markers written after its period go with it.
    assert lead_with_answer(f"{echo}. [2] Liz Cheney lost [3].", question) == "Liz Cheney lost [3]."


@pytest.mark.parametrize("text, question", [
    # The first sentence adds the answer.
    ("Liz Cheney was booted from her House seat this week [2]. She lost [2].", "Who was booted from her House seat this week?"),
    # Short answers in the question's words are answers.
    ("Biden won [1]. He took 306 electoral votes [1].", "Which candidate won, Biden or Trump?"),
    # Yes/no questions, also after a premise.
    ("The vaccine will be available next month [1]. Officials said so [1].",
     "A new vaccine was announced. Will the vaccine be available next month?"),
    # Negated: the question's words are the answer.
    ("The GOP critic was not booted from her House seat this week [1]. Liz Cheney won [1].",
     "The GOP critic was booted from her House seat this week. Who is she?"),
    # One of the premise's names is the answer.
    ("Harriet Hageman won the Wyoming primary this week [1]. The race was called on Tuesday [1].",
     "Both Harriet Hageman and Liz Cheney ran in the Wyoming primary this week. Who won?"),
    # Yes/no in any sentence, contractions too.
    ("The new vaccine will be available to children next month [1]. The FDA approved it [1].",
     "Will the new vaccine be available to children next month? Who approved it?"),
    ("The Senate passed the infrastructure bill this week [1]. The vote was 69-30 [1].",
     "The infrastructure bill was debated. Hasn't the Senate passed the infrastructure bill this week?"),
    # What follows hands the question back too.
    ("Iranian authorities blamed jihadist separatists for the assault in Ahvaz [1]. The assault did kill people [1].",
     "Iranian authorities blamed jihadist separatists for the assault in Ahvaz. How many people did the assault kill?"),
    # A question without a premise.
    ("A head of state announced his resignation this week [1]. Boris Johnson quit [1].",
     "Which head of state announced his resignation this week?"),
    # Nothing cited follows.
    ("The GOP critic was booted from her House seat this week [1]. Liz Cheney.",
     "The GOP critic was booted from her House seat this week. Who is she?"),
])
def test_an_opening_sentence_that_answers_stays(text, question):
    assert lead_with_answer(text, question) == text


def test_markers_after_the_period_or_a_closing_quote_keep_their_sentence():
    text = 'Pompeo replied, "Blaming others is a mistake [1]. And the loss of life is tragic." [1] ISIS claimed it. [2]'
    assert drop_uncited(text) == text


def test_refusal_hold_shows_nothing_of_a_refusal_and_everything_of_an_answer():
    from assistant.citations import RefusalHold

    hold = RefusalHold()
    assert [hold.feed(t) for t in ["The", " indexed", " articles", " don't", " say."]] == ["", "", "", "", ""]
    hold = RefusalHold()
    assert "".join(hold.feed(t) for t in ["The indexed articles don’t say.", "\n", "However, [2] says so."]) == ""
    hold = RefusalHold()
    assert "".join(hold.feed(t) for t in ["The", " average", " price", " is $5 [1]."]) == "The average price is $5 [1]."


@pytest.mark.parametrize("raw,shown", [
    ("According to the passage, about 2 million swings were recalled [1].", "About 2 million swings were recalled [1]."),
    ("It was released on March 3, 2017, according to passage 3 [3].", "It was released on March 3, 2017 [3]."),
    ("Revenue was $370 million, as reported in passage 2.", "Revenue was $370 million [2]."),
    ("It was released on June 19, 2020, as stated in passage 1 and passage 2.", "It was released on June 19, 2020 [1][2]."),
    ("It came out on June 19, 2020, according to passages 1, 2 and 3.", "It came out on June 19, 2020 [1][2][3]."),
    ("It came out on June 19, 2020 (passages 1 and 2).", "It came out on June 19, 2020 [1][2]."),
    ("Tim Cook is the CEO (see passage 3).", "Tim Cook is the CEO [3]."),
    ("The bill (passage of which took years) was signed [1].", "The bill (passage of which took years) was signed [1]."),
    ("The Pixel 6 was announced on October 19, 2021, as stated in [2].", "The Pixel 6 was announced on October 19, 2021 [2]."),
    ("Biden won according to [1][3].", "Biden won [1][3]."),
    ("ISIS claimed it [1]. According to [2], others did too.", "ISIS claimed it [1]. According to [2], others did too."),
    ("ISIS, according to [2], claimed it.", "ISIS, according to [2], claimed it."),
    ("Based on the information provided in the passages, Asher Angel plays Billy Batson.", "Asher Angel plays Billy Batson."),
    ("ISIS claimed it [1]. According to passage 2, the Ahwaz group did too.", "ISIS claimed it [1]. The Ahwaz group did too."),
    ("The passage of the bill was approved [1].", "The passage of the bill was approved [1]."),
    ("Based on the passages [1], Asher Angel plays Billy Batson.", "Based on the passages [1], Asher Angel plays Billy Batson."),
    ("- According to passage 2, ISIS claimed it.\n- Answer: According to the passages, it did.", "- ISIS claimed it.\n- Answer: It did."),
    # Seen on rtqa-dev.
    ('The article [1] states that "Squid Game" is officially coming back [2].', '"Squid Game" is officially coming back [1][2].'),
    ("ISIS claimed it [1]. Passage 2 says that the Ahwaz group did too.", "ISIS claimed it [1]. The Ahwaz group did too [2]."),
    ("The article states that prices rose.", "Prices rose."),
    ("- The article [1] states that ISIS claimed it.\n- Excerpt 3 notes that iPhone sales fell.",
     "- ISIS claimed it [1].\n- iPhone sales fell [3]."),
    # Left alone: no "that", a source in the article, a treaty's article, "that" before a noun.
    ("This article mentions 24 deaths [1].", "This article mentions 24 deaths [1]."),
    ("One source says that the deal is near [1].", "One source says that the deal is near [1]."),
    ("Article 5 states that an attack on one is an attack on all [1].", "Article 5 states that an attack on one is an attack on all [1]."),
    ("The article mentions that report [1].", "The article mentions that report [1]."),
])
def test_talk_of_passages_is_taken_out_of_answers(raw, shown):
    from assistant.citations import unmention_passages

    assert unmention_passages(raw) == shown


def test_a_sentence_the_model_repeats_marks_where_its_loop_began():
    from assistant.citations import repeated

    looping = "ISIS threatened Iran [1]. Another group claimed it too [1]. Another group claimed it too. Another group"
    assert looping[:repeated(looping)] == "ISIS threatened Iran [1]. Another group claimed it too [1]. "
    assert repeated("ISIS claimed it [1]. It killed 24 people [1].") is None
    assert repeated("Yes [1]. Yes [2].") is None  # too short to be a loop
