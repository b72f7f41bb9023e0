"""The options the commands share, and turning them into `Settings`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import MAX_QUESTION, Settings
from ..errors import UserError
from ..text.safe import replace_surrogates
from ..types import DateRange

IndexDir = Annotated[Optional[str], typer.Option(
    "--index-dir", envvar="ASSISTANT_INDEX_DIR", metavar="PATH", help="Where the index lives.", show_default="index/",
)]
ChromaUrl = Annotated[Optional[str], typer.Option(
    "--chroma-url", envvar="ASSISTANT_CHROMA_URL", help="Use a Chroma server (http://HOST:PORT) instead of the embedded store.",
)]
Llm = Annotated[Optional[str], typer.Option(
    "--llm", envvar="ASSISTANT_LLM", help="local, local:0.5b, local:/path/model.gguf, openai:MODEL or none.", show_default="local",
)]
Embeddings = Annotated[Optional[str], typer.Option(
    "--embeddings", envvar="ASSISTANT_EMBEDDINGS", help="minilm or openai:MODEL (must match the index).", show_default="minilm",
)]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
TopK = Annotated[int, typer.Option("-k", "--top-k", min=1, max=50, help="How many passages to use.")]
Mode = Annotated[Optional[str], typer.Option(
    "--retrieval", envvar="ASSISTANT_RETRIEVAL", help="hybrid, dense or lexical.", show_default="hybrid",
)]
Rescore = Annotated[Optional[str], typer.Option(
    "--rescore", envvar="ASSISTANT_RESCORE", show_default="none",
    help="none, or mpnet to re-score the top candidates with all-mpnet-base-v2 (needs its model packages; "
         "fast once `assistant index --rescore mpnet` has computed its vectors).",
)]


def parse_date(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2022-06-15") from None


Since = Annotated[Optional[date], typer.Option(
    parser=parse_date, metavar="YYYY-MM-DD", help="Only articles published on or after this day.",
)]
Until = Annotated[Optional[date], typer.Option(
    parser=parse_date, metavar="YYYY-MM-DD", help="Only articles published on or before this day.",
)]
AsOf = Annotated[Optional[date], typer.Option("--as-of", parser=parse_date, metavar="YYYY-MM-DD", help="Answer as if today were this day.")]


def date_range(since: Optional[date], until: Optional[date]):
    if since and until and since > until:
        # Otherwise every search comes back empty and the user is told "nothing matches".
        raise UserError(f"--since {since} is after --until {until}")
    return DateRange(since, until)


def note_undated(retriever, dates) -> None:
    """A date filter cannot place an article without a date, so it leaves it out: say so,
    or a filtered search of undated articles (plain text files) just finds nothing."""
    from . import render

    if (dates.since or dates.until) and (count := retriever.undated_sources()):
        render.note(f"--since/--until leave out {count} article{'s' if count > 1 else ''} with no published date")


def folder(value: str, what: str) -> Path:
    """`value` as a folder that exists or can be made: not empty (that would mean the
    current folder), not a file, not inside a file."""
    if not value.strip():
        raise UserError(f"{what} is empty")
    path = Path(value).expanduser()
    for existing in (path, *path.parents):
        if existing.exists():
            if not existing.is_dir():
                raise UserError(f"{what} {path} is not a folder ({existing} is a file)")
            break
    return path


def question_text(text: str, what: str = "the question") -> str:
    """A question from argv or stdin: undecodable bytes replaced, a byte-order mark dropped,
    neither empty nor longer than MAX_QUESTION characters."""
    text = replace_surrogates(text).lstrip("\ufeff").strip()
    if not text:
        raise UserError(f"{what} is empty")
    if len(text) > MAX_QUESTION:
        raise UserError(f"{what} is too long ({len(text):,} characters; the limit is {MAX_QUESTION:,})")
    return text


def settings_from(**options) -> Settings:
    if options.get("index_dir") is not None:
        options["index_dir"] = folder(options["index_dir"], "--index-dir")
    if options.get("retrieval") not in (None, "hybrid", "dense", "lexical"):
        raise UserError(f"--retrieval must be hybrid, dense or lexical, not {options['retrieval']!r}")
    if options.get("rescore") not in (None, "none", "mpnet"):
        raise UserError(f"--rescore must be none or mpnet, not {options['rescore']!r}")
    return Settings.from_env(**options)
