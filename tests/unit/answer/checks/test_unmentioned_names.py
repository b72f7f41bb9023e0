from assistant.answer.checks.unmentioned_names import unmentioned_names
from assistant.types import Passage


def test_a_name_no_passage_mentions_is_reported_whatever_its_spelling_there():
    def found(*texts):
        return [Passage(id=str(i), source="s", title="", published="", url="", text=t, chunk=0) for i, t in enumerate(texts)]

    passages = found("The Saudis denied it.", "Al Qaeda's leader spoke; Tadej Pogacar won.")  # "Leaders": one leader
    passages += found("The Federal Reserve and the United Nations met China's Kurds and Democrats from Ukraine.")
    for question in ["What did the Saudi ministry say?", "Who leads al-Qaeda?", "Did Pogačar win?", "Who leads Al-Qaeda's wing?",
                     "Which Leaders spoke?", "Did the Fed meet the U.N. and the Chinese?", "Were Kurdish and Democratic Ukrainians there?"]:
        assert unmentioned_names(question, passages) is None, question
    assert unmentioned_names("How long did Senator Cory Booker speak?", passages) == \
        "None of the passages found for this question mentions “Senator Cory Booker”."
    assert unmentioned_names("What did the Saudi ministry say?", []) is not None


def test_a_name_of_several_words_needs_only_its_last_word():
    passages = [Passage(id="1", source="s", title="", published="", url="", chunk=0,
                        text="Pelosi landed in Taipei. Tsai Ing-wen called the drills irresponsible at a Carolina rally.")]
    # "Nancy" frames the question; the passage names Pelosi, which is who matters.
    assert unmentioned_names("What did Tsai Ing-wen call the drills after Nancy Pelosi's visit?", passages) is None
    assert unmentioned_names("What did Harris say at a North Carolina event?", passages) == \
        "None of the passages found for this question mentions “Harris”."
    # A possessive ends a name: "Jr" is a name of its own, and no passage has it.
    assert unmentioned_names("Whom is Donald Pelosi Jr's sister dating?", passages) is not None


def test_a_question_about_what_someone_said_needs_only_their_name():
    from assistant.answer.checks.base import Inquiry
    from assistant.answer.checks.unmentioned_names import check
    from assistant.attribute.questions import Asked

    passages = [Passage(id="1", source="s", title="", published="", url="", chunk=0, text="Harris said Biden was in good spirits.")]
    question = "How did Vice President Kamala Harris describe Joe Biden's condition at a North Carolina event?"
    assert check(Inquiry(question, passages, None, None, True)) is not None  # any question: "North Carolina" is missing
    asked = Asked("what-did-say", "Kamala Harris", "PERSON")
    assert check(Inquiry(question, passages, None, None, True, asked=asked)) is None  # it frames what Harris said
    assert check(Inquiry(question, passages, None, None, True, asked=Asked("what-did-say", "Pompeo", "PERSON"))) is not None
