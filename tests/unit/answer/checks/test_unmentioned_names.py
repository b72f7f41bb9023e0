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
        "None of the passages found for this question mentions “Senator”, “Cory”, “Booker”."
    assert unmentioned_names("What did the Saudi ministry say?", []) is not None
