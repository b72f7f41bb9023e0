"""`assistant quotes TOPIC`: who said what about a topic, grouped by speaker. No model."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from .app import app
from .failures import handles_errors
from .options import AsJson, ChromaUrl, Embeddings, IndexDir, Mode, Since, Until, date_range, note_undated, question_text, settings_from


@app.command()
@handles_errors
def quotes(
    topic: Annotated[str, typer.Argument(help="What the statements are about.", metavar="TOPIC", show_default=False)],
    speaker: Annotated[Optional[str], typer.Option("--speaker", metavar="NAME", help="Only this person's or group's statements.")] = None,
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, max=50, help="How many passages to read.")] = 10,
    since: Since = None,
    until: Until = None,
    retrieval: Mode = None,
    as_json: AsJson = False,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    embeddings: Embeddings = None,
) -> None:
    """Show who said what about a topic, grouped by speaker.

    Each statement is verbatim, with its article, date and offsets into the article's text.
    No language model is involved."""
    from ..attribute.statements import quotes as find
    from ..retrieve.retriever import Retriever
    from . import render

    topic = question_text(topic, "the topic")
    dates = date_range(since, until)
    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, retrieval=retrieval)
    retriever = Retriever(settings)
    speeches = find(retriever, topic, k=k, dates=dates, speaker=(speaker or "").strip())
    note_undated(retriever, dates)
    if as_json:
        print(json.dumps({"topic": topic, "speakers": [s.as_json() for s in speeches]}))
    else:
        render.speeches(speeches)
