"""The Typer application every command registers on (cli.py, quotes.py)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Ask questions about a collection of news articles. Answers cite the passages they come from.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click output: usage mistakes end in one "Error: ..." line, not a boxed panel.
    rich_markup_mode=None,
)


def _show_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        typer.echo(f"news-assistant {version('news-assistant')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    pass
