from datetime import date

from assistant.evaluate.questions import load_questions


def test_asked_on_may_carry_a_time_or_a_written_date(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "Who won?", "answers": ["Alice"], "asked_on": "2022-06-16T09:00:00Z"}\n'
                    '{"id": "b", "question": "Who lost?", "answers": [], "asked_on": "June 17, 2022"}\n'
                    '{"id": "c", "question": "Who tied?", "answers": [], "asked_on": 20220618}\n')
    assert [q.asked_on for q in load_questions(path)] == [date(2022, 6, 16), date(2022, 6, 17), date(2022, 6, 18)]
