import io

from rich.console import Console

from assistant.render import LiveAnswer


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
