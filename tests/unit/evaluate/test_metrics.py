from assistant.config import Settings
from assistant.evaluate.metrics import EvalResult, Row
from assistant.evaluate.questions import Question


def _row(id_: str, answer: str, cited: list[str], by_model: list[str], shown: int, added: int, pruned: int = 0) -> Row:
    question = Question(id=id_, question="Who won?", answers=("Alice",), sources=("gold.txt",))
    return Row(question, sources=["other.txt", "gold.txt"], retrieve_ms=1.0, answer=answer, refused=False,
               cited=cited, cited_by_model=by_model, markers_total=shown - added + pruned,
               markers_valid=shown - added + pruned, markers_pruned=pruned, markers_shown=shown, markers_added=added)


def test_citation_metrics_tell_the_models_markers_from_the_corroborating_ones():
    rows = [
        # The model cited a distractor; the gold article was added as corroborating.
        _row("a", "Alice won [1][2].", ["other.txt", "gold.txt"], ["other.txt"], shown=2, added=1),
        # The model cited the gold article itself, and one marker of a passage not naming Alice was pruned.
        _row("b", "Alice won [2].", ["gold.txt"], ["gold.txt"], shown=1, added=0, pruned=1),
        _row("c", "Bob won [1].", ["other.txt"], ["other.txt"], shown=1, added=0),  # wrong: not counted
    ]
    citations = EvalResult(rows, generated=True).summary()["citations"]
    assert citations["gold_source_cited"] == 1.0
    assert citations["gold_source_cited_by_model"] == 0.5
    assert citations["added_markers"] == 0.25  # 1 of the 4 markers shown
    assert citations["pruned_markers"] == 0.25  # 1 of the 4 the answers carried before corroboration
    assert citations["valid_markers"] == 1.0


def test_scores_are_reported_per_question_kind(tmp_path):
    from assistant.evaluate.questions import load_questions
    from assistant.evaluate.report import write_report

    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "1", "question": "According to Kishi, how many?", "answers": ["five"], "kind": "according-to"}\n'
        '{"id": "2", "question": "Who said it?", "answers": ["Cahill"], "kind": "who-said"}\n'
        '{"id": "3", "question": "According to Tsai, how many?", "answers": [], "kind": "unanswerable"}\n')
    q1, q2, q3 = load_questions(path)
    assert (q1.kind, q3.kind) == ("according-to", "unanswerable")
    rows = [Row(q1, [], 5.0, answer="Five landed [1].", refused=False), Row(q2, [], 5.0, answer="Pompeo [1].", refused=False),
            Row(q3, [], 5.0, answer="The indexed articles don't say.", refused=True, refused_by="misattributed")]
    summary = EvalResult(rows, generated=True).summary()
    assert summary["by_kind"]["according-to"]["answers"]["contains"] == 1.0
    assert summary["by_kind"]["who-said"]["answers"]["contains"] == 0.0
    assert summary["by_kind"]["unanswerable"]["refusal"]["accuracy"] == 1.0
    report = write_report(EvalResult(rows, generated=True), path, tmp_path / "reports", Settings()).read_text()
    assert "## By kind: default" in report and "| who-said | 1 |" in report


def test_a_refusal_is_never_a_correct_answer_even_when_it_quotes_the_gold_words():
    question = Question(id="q", question="According to X, who won?", answers=("Alice",), sources=("gold.txt",))
    refusal = Row(question, [], 1.0, answer='The indexed articles don\'t say. They quote Y: "Alice won" [1].', refused=True,
                  refused_by="misattributed")
    assert not refusal.correct
    assert Row(question, [], 1.0, answer="Alice won [1].", refused=False).correct
