import io

from rich.console import Console

from assistant.ingest.indexer import IndexReport
from assistant.types import Answer, Citation
from assistant.ui import render
from assistant.ui.render import LiveAnswer


def _terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=60)


def test_a_spinner_shows_until_the_answer_streams():
    console = _terminal()
    with LiveAnswer(console) as live:
        live.feed("")  # a refusal held back shows nothing of itself
        live.live.refresh()
        waiting = console.file.getvalue()
        live.feed("ISIS claimed the attack [1].")
        live.live.refresh()
    shown = console.file.getvalue()
    assert "Reading the articles" in waiting and "ISIS" not in waiting
    assert "ISIS claimed the attack" in shown[len(waiting):]


def test_nothing_is_drawn_when_not_streaming():
    console = _terminal()
    with LiveAnswer(console, enabled=False) as live:
        live.feed("ISIS claimed the attack [1].")
    assert console.file.getvalue() == ""
    plain = Console(file=io.StringIO())  # not a terminal: a pipe or a file
    with LiveAnswer(plain) as live:
        live.feed("ISIS")
    assert plain.file.getvalue() == ""


def test_a_quote_that_is_one_whole_quotation_is_not_quoted_twice():
    console = Console(file=io.StringIO(), width=200)
    citations = [Citation(1, "a.txt", "a.txt:0", "A", "", "", "“We will fight on.”"),
                 Citation(2, "b.txt", "b.txt:0", "B", "", "", "“Yes,” he said, “we will.”")]
    render.answer(Answer("q", "They will [1][2].", False, citations), console)
    shown = console.file.getvalue()
    assert "    “We will fight on.”\n" in shown
    assert "    ““Yes,” he said, “we will.””\n" in shown  # nested: the outer marks show where it starts


def test_the_index_summary_counts_one_chunk_as_one():
    console = Console(file=io.StringIO(), width=200)
    render.index_report(IndexReport(sources_updated=1, chunks_embedded=1, chunks_deleted=1, chunks_total=1), console)
    assert "1 chunk embedded, 1 deleted, 1 in the index." in console.file.getvalue()


def test_the_articles_read_show_above_the_streamed_answer(seed_index, embeddings):
    from fakes import RuleChatModel

    from assistant.answer.chain import Answerer
    from assistant.retrieve.retriever import Retriever

    console = _terminal()
    model = RuleChatModel(rules=[("Question:", "ISIS claimed the attack [1].")], prompts=[])
    with LiveAnswer(console) as live:
        Answerer(Retriever(seed_index, embeddings), model).ask("Who claimed the Ahvaz attack?", on_token=live.feed,
                                                               on_evidence=live.evidence)
    shown = console.file.getvalue()
    assert "Reading 1 article:" in shown and "ISIS threatens Iran with more attacks" in shown
    assert shown.index("ISIS threatens Iran with more attacks") < shown.index("ISIS claimed the attack")
    plain = Console(file=io.StringIO())  # piped: nothing but the answer, as before
    with LiveAnswer(plain) as live:
        live.evidence([])
    assert plain.file.getvalue() == ""
