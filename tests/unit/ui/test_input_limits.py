"""Questions too long to be questions: one line each, and the rest goes on. Before the
limits, a 5 MB line piped into `chat` took 4 minutes and was echoed back whole."""

import io
import time

from fakes import RuleChatModel
from rich.console import Console
from typer.testing import CliRunner

from assistant.answer.chain import Answerer
from assistant.config import MAX_QUESTION
from assistant.retrieve.retriever import Retriever
from assistant.ui.cli import app
from assistant.ui.repl import Repl, _bounded_lines


def test_a_huge_piped_line_is_refused_and_the_next_question_answered(seed_index, embeddings, capsys):
    console = Console(file=io.StringIO(), width=120)
    model = RuleChatModel(rules=[("Question: Who claimed", "ISIS claimed it [1].")], prompts=[])
    repl = Repl(Answerer(Retriever(seed_index, embeddings), model), console=console)
    stdin = io.StringIO("x" * 5_000_000 + "\nWho claimed the Ahvaz attack?\n" + "y" * 5_000)  # the last with no newline
    started = time.monotonic()
    repl._scripted(_bounded_lines(stdin))
    assert time.monotonic() - started < 60
    shown = console.file.getvalue()
    assert "xxxx" not in shown and "yyyy" not in shown  # not echoed
    assert "› Who claimed the Ahvaz attack?" in shown and "ISIS claimed it" in shown
    errors = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert errors == [f"error: the question is too long (5,000,000 characters; the limit is {MAX_QUESTION:,})",
                      f"error: the question is too long (5,000 characters; the limit is {MAX_QUESTION:,})"]
    assert repl.failed == 2  # a script can tell
    assert not any("xxx" in p for p in model.prompts)


def test_bounded_lines_never_hold_a_long_line():
    stream = io.StringIO("short\n" + "z" * 100_000 + "\nlast")
    assert list(_bounded_lines(stream, limit=50)) == ["short\n", 100_000, "last"]


def test_search_and_ask_refuse_a_question_over_the_limit(seed_index):
    runner = CliRunner()
    long = "why " * 600
    for command in ("search", "ask"):
        result = runner.invoke(app, [command, long, "--index-dir", str(seed_index.index_dir), "--llm", "none"][:4 if command == "search" else 6])
        assert result.exit_code == 2, result.output
        assert f"the {'query' if command == 'search' else 'question'} is too long (2,399 characters; the limit is 2,000)" in result.stderr
