from datetime import date

from assistant.guards import corroborated, invented_numbers, names, stale, uncounted, unmentioned_names
from assistant.retrieval import Passage


def passage(published):
    return Passage(id="x", source="s", title="t", published=published, url="", text="", chunk=0)


def test_names_skip_sentence_starts_and_possessives():
    assert names("Sanae Takaichi, a conservative, was elected. Which country?") == ["Takaichi"]
    assert names("Who fired UnitedHealthcare’s CEO in New York?") == ["UnitedHealthcare", "CEO", "New", "York"]
    assert names("who claimed it?") == []


def test_names_leave_out_days_and_months():
    assert names("Who resigned on Thursday in May after the Senate vote?") == ["Senate"]


def test_a_name_no_passage_mentions_is_reported_whatever_its_spelling_there():
    def found(*texts):
        return [Passage(id=str(i), source="s", title="", published="", url="", text=t, chunk=0) for i, t in enumerate(texts)]

    passages = found("The Saudis denied it.", "Al Qaeda's leader spoke; Tadej Pogacar won.")  # "Leaders": one leader
    passages += found("The Federal Reserve and the United Nations met China's Kurds and Democrats from Ukraine.")
    for question in ["What did the Saudi ministry say?", "Who leads al-Qaeda?", "Did Pogačar win?", "Who leads Al-Qaeda's wing?",
                     "Which Leaders spoke?", "Did the Fed meet the U.N. and the Chinese?", "Were Kurdish and Democratic Ukrainians there?"]:
        assert unmentioned_names(question, passages) is None, question
    assert unmentioned_names("How long did Senator Cory Booker speak?", passages) == \
        "None of the passages found for this question mentions “Senator”, “Cory”, “Booker”."
    assert unmentioned_names("What did the Saudi ministry say?", []) is not None


def test_stale_needs_a_present_tense_cue_and_a_reference_date():
    old = [passage("2022-06-01")]
    assert stale("What happened this week?", old, date(2022, 7, 1)) is None  # 30 days: fresh enough
    assert "2022-06-01" in stale("What happened this week?", old, date(2023, 1, 1))
    assert stale("Which new rule was announced?", old, date(2023, 1, 1)) is not None
    assert stale("Which rule was announced in New York?", old, date(2023, 1, 1)) is None
    assert stale("What happened this week?", old, None) is None
    assert stale("What happened this week?", [passage("")], date(2023, 1, 1)) is None


def test_invented_numbers_ignore_markers_spelling_and_formatting():
    passages = ["The attack killed 24 people on 2018-09-22; four suspects fled with $1,000."]
    assert invented_numbers("It killed 24 people [1] on September 22 [1].", passages, "How many?") == set()
    assert invented_numbers("Four suspects [1] took 1000 dollars [1].", passages, "") == set()
    assert invented_numbers("Two suspects were arrested [1].", passages, "How many suspects?") == {"2"}
    assert invented_numbers("It happened in 2019 [1].", passages, "") == {"2019"}
    assert invented_numbers("Not since 2019 [1].", passages, "Did it happen in 2019?") == set()


def test_a_count_must_come_with_something_the_question_asks_about():
    passages = ["Two of the men spoke Arabic. The attack killed 24 people.", "LeBron scored 38 on Sunday."]
    assert uncounted("Two suspects were arrested [1].", passages, "How many suspects were arrested?")
    assert not uncounted("24 people were killed [1].", passages, "How many people died in the attack?")
    assert not uncounted("He scored 38 [2].", passages, "How many points did LeBron score?")
    assert not uncounted("Two men spoke Arabic [1].", passages, "How many men spoke Arabic?")
    # Only the direct answer of a "how many" question is judged.
    assert not uncounted("Two suspects were held [1].", passages, "Who was arrested?")
    assert not uncounted("They arrested some [1]. Two suspects fled [1].", passages, "How many suspects were arrested?")


def test_fresh_means_the_two_months_up_to_the_reference_date():
    from assistant.guards import fresh

    day = date(2022, 7, 1)
    assert fresh(passage("2022-06-01"), day) and fresh(passage("2022-07-01"), day) and fresh(passage("2022-07-02"), day)
    assert not fresh(passage("2022-04-01"), day) and not fresh(passage("2022-07-05"), day) and not fresh(passage(""), day)


def test_restates_only_an_answer_that_is_the_whole_question():
    from assistant.guards import restates

    question = "A processed cheese product is seeing a boost in popularity right now. Which product is it?"
    assert restates("A processed cheese product is seeing a boost in popularity right now [1].", question)
    assert not restates("Velveeta is seeing a boost in popularity right now [1].", question)
    assert not restates("Biden won [1].", "Who won, Biden or Trump?")


def test_restates_leaves_answers_to_yes_no_questions_alone():
    from assistant.guards import restates

    assert not restates("Velveeta is seeing a boost in popularity [1].", "Is Velveeta seeing a boost in popularity?")
    assert not restates("Velveeta isn't seeing a boost in popularity [1].", "Velveeta is seeing a boost in popularity: why?")


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
