from assistant.text.words import question_names as names


def test_names_skip_sentence_starts_and_possessives():
    assert names("Sanae Takaichi, a conservative, was elected. Which country?") == ["Takaichi"]
    assert names("Who fired UnitedHealthcare’s CEO in New York?") == ["UnitedHealthcare", "CEO", "New", "York"]
    assert names("who claimed it?") == []


def test_names_leave_out_days_and_months():
    assert names("Who resigned on Thursday in May after the Senate vote?") == ["Senate"]


def test_a_name_no_article_mentions_refuses_and_says_which():
    from assistant.answer.checks.base import Inquiry
    from assistant.answer.checks.unknown_names import check
    from assistant.types import Refusal

    class Mentions:
        def mentions(self, name: str) -> bool:
            return name in {"Ahvaz", "Khamenei"}

    def ask(question: str):
        return check(Inquiry(question, [], None, Mentions(), has_model=True))

    assert ask("What did Khamenei say about Ahvaz?") is None
    assert ask("What did Pompeo say about Ahvaz?") == (Refusal.UNKNOWN_NAME, "No indexed article mentions “Pompeo”.", ())
