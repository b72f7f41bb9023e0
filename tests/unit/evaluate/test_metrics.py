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
