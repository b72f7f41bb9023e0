import pytest

from assistant.attribute.questions import asked


@pytest.mark.parametrize("question, kind, speaker", [
    ("According to Khamenei, who funds the attackers?", "according-to", "Khamenei"),
    ("According to Afghanistan's Deputy Minister of State, Mawlawi Sharafuddin Muslim, how much would families get?",
     "according-to", "Mawlawi Sharafuddin Muslim"),
    ("What did Pompeo say about Zarif?", "what-did-say", "Pompeo"),
    ("What did the Saudi foreign ministry say in response to Khamenei?", "what-did-say", "Saudi foreign ministry"),
    ("What kind of act did Taiwan's President Tsai Ing-wen call China's military drills?", "what-did-say", "Tsai Ing-wen"),
    ("Who said blaming others is an enormous mistake?", "who-said", ""),
    ("Which US official criticised Zarif's comments?", "who-said", ""),
])
def test_what_a_question_asks_about_a_speaker(question, kind, speaker):
    found = asked(question)
    assert found is not None and (found.kind, found.speaker) == (kind, speaker)


@pytest.mark.parametrize("question", ["Who claimed the Ahvaz attack?", "How many people were killed in the Ahvaz attack?",
                                      "Who is Iran's Supreme Leader?",
                                      # An office without a name is too vague to hold a speaker to.
                                      "What is the biggest threat in the region, according to Fiji’s minister of defense?",
                                      # The spokesman speaks, not ISIS; the lawyer, not Trump.
                                      "What did the ISIS spokesman say?", "What did Trump's lawyer say about the raid?",
                                      # A quiz's lead-in sets the scene; the question asks a fact.
                                      "President Biden on Wednesday announced student loan relief. How much will borrowers get?",
                                      # Who was accused, not who accused.
                                      "Which company is being accused of turning off the AC in its stores?",
                                      # The source is the poll; Trump is named in what it asks.
                                      "According to a new poll, what share of Americans feel that Donald Trump acted unethically?",
                                      # A speech verb, but the question asks which virus, not what WHO said.
                                      "Which virus is making officials at the World Health Organization reconsider whether "
                                      "they should declare an emergency?"])
def test_questions_about_facts_ask_about_no_speaker(question):
    assert asked(question) is None


def test_the_words_a_question_quotes():
    from assistant.attribute.questions import quoted

    question = "Who told Fox News that the FBI's search of Trump's home was 'something (found) in a banana republic'?"
    assert quoted(question) == "something (found) in a banana republic"  # not "s search of Trump"
    assert quoted("Who called it “a cowardly act”?") == "a cowardly act"
    assert quoted("Who said Iran is flimsier than a spider's web?") == ""
