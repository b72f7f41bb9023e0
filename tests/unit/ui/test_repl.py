import io

from fakes import RuleChatModel
from rich.console import Console

from assistant.answer.chain import Answerer
from assistant.retrieve.retriever import Retriever
from assistant.ui.repl import Repl


def make_repl(seed_index, embeddings, rules):
    console = Console(file=io.StringIO(), width=120)
    model = RuleChatModel(rules=rules, prompts=[])
    return Repl(Answerer(Retriever(seed_index, embeddings), model), console=console), console, model


def output(console):
    return console.file.getvalue()


def test_scripted_session_with_follow_up_sources_and_reset(seed_index, embeddings):
    repl, console, model = make_repl(seed_index, embeddings, [
        ("Last question: how many did it kill?", "How many people did the Ahvaz attack kill?"),
        ("Question: How many people did the Ahvaz attack kill?", "The attack killed 24 people [1]."),
        ("Question: Who claimed", "ISIS claimed the attack [1]."),
    ])
    repl._scripted(["/help\n", "Who claimed the Ahvaz attack?\n", "how many did it kill?\n", "/sources\n"])
    last = repl.last
    repl._scripted(["/reset\n", "/nope\n", "/quit\n", "never asked\n"])
    text = output(console)
    assert "/sources" in text and "/reset" in text
    assert "ISIS claimed the attack [1]" in text
    # /sources shows the whole retrieved text behind the cited passage, not just the quote.
    flat = " ".join(text.split())
    assert " ".join(last.excerpts[0].full_text.split()[-40:]) in flat
    assert "(How many people did the Ahvaz attack kill?)" in text
    assert "killed 24 people" in text
    assert "Conversation cleared." in text and repl.history == [] and repl.last is None
    assert "Unknown command /nope" in text
    # Each line read is echoed, so a piped transcript pairs questions and answers.
    assert text.index("› Who claimed the Ahvaz attack?") < text.index("ISIS claimed the attack [1]") < text.index("› how many did it kill?")
    assert not any("never asked" in p for p in model.prompts)


def test_sources_before_any_answer(seed_index, embeddings):
    repl, console, _ = make_repl(seed_index, embeddings, [])
    repl.handle("/sources")
    assert "No answer yet." in output(console)


def test_sources_after_a_refusal_say_nothing_was_cited(seed_index, embeddings):
    repl, console, _ = make_repl(seed_index, embeddings, [("Question:", "The indexed articles don't say.")])
    repl._scripted(["Which app carried the ISIS statement?\n", "/sources\n"])
    assert repl.last.refused and repl.last.excerpts
    assert "The last answer cited no passage. These were retrieved for it:" in output(console)


def test_undecodable_bytes_and_a_byte_order_mark_do_not_end_the_session(seed_index, embeddings):
    repl, console, model = make_repl(seed_index, embeddings, [("Question: Who claimed", "ISIS claimed it [1].")])
    # What sys.stdin gives for b"\xff\xfe" under surrogateescape, and a BOM before a command.
    repl._scripted(["\ufeff/help\n", "caf\udce9 \udcff?\n", "Who claimed the Ahvaz attack?\n"])
    text = output(console)
    assert "/sources" in text and "ISIS claimed it [1]" in text
    assert repl.failed == 0
