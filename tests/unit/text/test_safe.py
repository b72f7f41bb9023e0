import io

from rich.console import Console

from assistant.text.safe import drop_controls
from assistant.types import Passage
from assistant.ui import render

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_bidirectional_controls_are_dropped():
    assert drop_controls("Budget \u202eapproved\u202c \u2067x\u2069 \u200fok") == "Budget approved x ok"
    assert not set(drop_controls("a" + BIDI + "b")) & set(BIDI)
    # Right-to-left text itself is kept.
    assert drop_controls("مرحبا שלום") == "مرحبا שלום"


def test_a_title_cannot_reorder_the_source_line():
    """U+202E in a title made the terminal show the rest of the line, the source name
    included, right to left ("txt.tegdub" for budget.txt)."""
    console = Console(file=io.StringIO(), width=200)
    spoof = "Council news \u202eeulav\u2066 · fake.txt"
    render.search_results([Passage(id="1", source="budget.txt", title=spoof, published="", url="", text="The budget.", chunk=0)], console)
    shown = console.file.getvalue()
    assert not set(shown) & set(BIDI), repr(shown)
    assert "budget.txt" in shown
