"""Question files as editors and scripts write them: a byte-order mark, rows without
'sources', and rows far too large."""

import tracemalloc

import pytest

from assistant.config import MAX_QUESTION
from assistant.errors import UserError
from assistant.evaluate.questions import load_questions


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_bytes('{"id": "a", "question": "Who won?", "answers": ["Alice"], "sources": ["s.txt"]}\n'.encode("utf-8-sig"))
    [question] = load_questions(path)
    assert question.id == "a" and question.sources == ("s.txt",)


def test_answerable_rows_without_sources_are_warned_about(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "Who won?", "answers": ["Alice"]}\n'
                    '{"id": "b", "question": "Who lost?", "answers": [], "sources": []}\n'  # unanswerable: no sources expected
                    '{"id": "c", "question": "Who tied?", "answers": ["Bob"], "sources": ["t.txt"]}\n'
                    '{"id": "d", "question": "Who left?", "answers": ["Carol"]}\n')
    warnings = []
    assert len(load_questions(path, on_warning=lambda item, reason: warnings.append((item, reason)))) == 4
    assert warnings == [(str(path), "2 answerable question(s) have no 'sources' (line 1, 4): they are left out of Hits@k and MRR")]


def test_a_huge_question_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "q.jsonl"
    with open(path, "w") as f:  # a 50 MB question used 6 GB of memory before the limit
        f.write('{"id": "a", "question": "' + "x" * 50_000_000 + '", "answers": []}\n')
    tracemalloc.start()
    try:
        with pytest.raises(UserError, match="line 1: row too long"):
            load_questions(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000


def test_a_long_question_names_the_limit(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "' + "word " * 1000 + '", "answers": []}\n')
    with pytest.raises(UserError, match=f"line 1: the question is too long \\(4,999 characters; the limit is {MAX_QUESTION:,}\\)"):
        load_questions(path)
