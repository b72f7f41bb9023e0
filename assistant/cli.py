"""The `assistant` command line. Commands stay thin: they parse options, call the library
and render; every user mistake ends as one `error:` line and a non-zero exit code."""

from __future__ import annotations

import errno
import functools
import json
import os
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from .config import Settings
from .errors import UserError

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


IndexDir = Annotated[Optional[str], typer.Option("--index-dir", envvar="ASSISTANT_INDEX_DIR", metavar="PATH", help="Where the index lives.", show_default="index/")]
ChromaUrl = Annotated[Optional[str], typer.Option("--chroma-url", envvar="ASSISTANT_CHROMA_URL", help="Use a Chroma server (http://HOST:PORT) instead of the embedded store.")]
Llm = Annotated[Optional[str], typer.Option("--llm", envvar="ASSISTANT_LLM", help="local, local:0.5b, local:/path/model.gguf, openai:MODEL or none.", show_default="local")]
Embeddings = Annotated[Optional[str], typer.Option("--embeddings", envvar="ASSISTANT_EMBEDDINGS", help="minilm or openai:MODEL (must match the index).", show_default="minilm")]
AsJson = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
TopK = Annotated[int, typer.Option("-k", "--top-k", min=1, max=50, help="How many passages to use.")]
Mode = Annotated[Optional[str], typer.Option("--retrieval", envvar="ASSISTANT_RETRIEVAL", help="hybrid, dense or lexical.", show_default="hybrid")]
Rescore = Annotated[Optional[str], typer.Option("--rescore", envvar="ASSISTANT_RESCORE", help="none, or mpnet to re-score the top candidates with all-mpnet-base-v2 (needs its model packages; fast once `assistant index --rescore mpnet` has computed its vectors).", show_default="none")]


def _date(value: Optional[str]) -> Optional[date]:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2022-06-15") from None


Since = Annotated[Optional[date], typer.Option(parser=_date, metavar="YYYY-MM-DD", help="Only articles published on or after this day.")]
Until = Annotated[Optional[date], typer.Option(parser=_date, metavar="YYYY-MM-DD", help="Only articles published on or before this day.")]
AsOf = Annotated[Optional[date], typer.Option("--as-of", parser=_date, metavar="YYYY-MM-DD", help="Answer as if today were this day.")]


def _dates(since: Optional[date], until: Optional[date]):
    from .retrieval import DateRange

    if since and until and since > until:
        # Otherwise every search comes back empty and the user is told "nothing matches".
        raise UserError(f"--since {since} is after --until {until}")
    return DateRange(since, until)


def _note_undated(retriever, dates) -> None:
    """A date filter cannot place an article without a date, so it leaves it out: say so,
    or a filtered search of undated articles (plain text files) just finds nothing."""
    from . import render

    if (dates.since or dates.until) and (count := retriever.undated_sources()):
        render.note(f"--since/--until leave out {count} article{'s' if count > 1 else ''} with no published date")


def handles_errors(command):
    """One line and an exit code for user errors; a traceback only with ASSISTANT_DEBUG=1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from . import render

        try:
            return command(*args, **kwargs)
        except UserError as exc:
            render.error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            render.error("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except PermissionError as exc:  # a read-only index, cache or report folder
            render.error(f"permission denied: {exc.filename or exc}")
            raise typer.Exit(2) from None
        except BrokenPipeError:
            # The reader went away (`assistant search ... | head`): nothing left to tell anyone.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(141) from None
        except Exception as exc:
            if os.environ.get("ASSISTANT_DEBUG"):
                raise
            chroma_url = kwargs.get("chroma_url")
            if chroma_url and (type(exc).__module__ or "").startswith(("chromadb", "httpx", "httpcore")):
                # The Chroma server went away or failed in the middle of the command.
                render.error(f"the Chroma server at {chroma_url} failed: {type(exc).__name__}: "
                             f"{' '.join(str(exc).split())[:300]}; what it stored so far is kept, run the command again")
                raise typer.Exit(6) from None
            if isinstance(exc, OSError) and exc.filename:  # e.g. an index folder that cannot be made
                render.error(f"cannot use {exc.filename}: {exc.strerror or exc}")
                raise typer.Exit(2 if exc.errno in (errno.ENOENT, errno.ENOTDIR, errno.EROFS, errno.EISDIR) else 1) from None
            render.error(f"unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:300]} (ASSISTANT_DEBUG=1 shows details)")
            raise typer.Exit(1) from None

    return wrapper


def _folder(value: str, what: str) -> Path:
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


def _settings(**options) -> Settings:
    if options.get("index_dir") is not None:
        options["index_dir"] = _folder(options["index_dir"], "--index-dir")
    if options.get("retrieval") not in (None, "hybrid", "dense", "lexical"):
        raise UserError(f"--retrieval must be hybrid, dense or lexical, not {options['retrieval']!r}")
    if options.get("rescore") not in (None, "none", "mpnet"):
        raise UserError(f"--rescore must be none or mpnet, not {options['rescore']!r}")
    return Settings.from_env(**options)


def _warn_if_empty(retriever) -> None:
    """An index that exists but holds nothing (only unsupported files were given, say)
    answers every question with nothing: say why, not just "nothing matches"."""
    from . import render

    if retriever.collection.count() == 0:
        where = retriever.settings.chroma_url or str(retriever.settings.index_dir)
        render.warning(where, "the index holds no articles yet: add some with `assistant index PATH`")


def _answerer(settings: Settings, k: int):
    from . import render
    from .chain import Answerer
    from .llms import check_model, get_chat_model
    from .retrieval import Retriever

    # A typo or a missing model file should not wait for the index to open; assembling
    # the local model's weights (once) shows its own progress before any answer does.
    check_model(settings.llm, on_progress=render.DownloadProgress("Assembling the local model (once)"))
    retriever = Retriever(settings)
    # Loaded when the first answer is generated: a question refused before the model is quick.
    llm = None if settings.llm == "none" else functools.partial(get_chat_model, settings.llm)
    return Answerer(retriever, llm, k=k)


@app.command()
@handles_errors
def index(
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="PATH", help="Files or folders (.txt .md .html .jsonl).", show_default=False)] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from scratch; the old index stays usable until the new one is complete.")] = False,
    rescore: Rescore = None,
    as_json: AsJson = False,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    embeddings: Embeddings = None,
) -> None:
    """Build or re-sync the index.

    Only new and changed articles are embedded; deleted ones are removed. With no PATHS,
    re-syncs what the index was built from (seeds/ the first time). With --rescore mpnet,
    also computes the re-scoring vectors of new chunks, so re-scored searches stay fast."""
    from . import render
    from .articles import Problems
    from .indexer import run_index

    if any(not path.strip() for path in paths or []):
        raise UserError("an empty corpus path was given (an unset shell variable?)")
    settings = _settings(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, rescore=rescore)
    quiet = as_json or not sys.stderr.isatty()
    report = run_index(settings, [Path(path) for path in paths or []], rebuild=rebuild, progress=None if quiet else render.IndexProgress(),
                       problems=Problems(render.warning))
    data = report.as_json()
    if settings.rescore == "mpnet":
        from .rescore import prepare_index

        started = time.monotonic()
        computed, total = prepare_index(settings, None if quiet else render.DownloadProgress("Re-scoring vectors"))
        data["rescore_vectors"] = {"computed": computed, "total": total, "seconds": round(time.monotonic() - started, 2)}
    if as_json:
        print(json.dumps(data))
    else:
        render.index_report(report)
        if "rescore_vectors" in data:
            render.rescore_report(data["rescore_vectors"])


@app.command()
@handles_errors
def search(
    query: Annotated[str, typer.Argument(help="Words or a question.", metavar="QUERY", show_default=False)],
    k: Annotated[int, typer.Option("-k", "--top-k", min=1, max=50, help="How many passages to show.")] = 5,
    since: Since = None,
    until: Until = None,
    as_of: AsOf = None,
    retrieval: Mode = None,
    rescore: Rescore = None,
    as_json: AsJson = False,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    embeddings: Embeddings = None,
) -> None:
    """Show the passages that best match a query.

    No answer is generated: this is the retrieval step on its own."""
    from . import render
    from .retrieval import Retriever
    from .text import replace_surrogates

    query = replace_surrogates(query)  # undecodable bytes in argv
    if not query.strip():
        raise UserError("the query is empty")
    dates = _dates(since, until)
    settings = _settings(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, retrieval=retrieval, rescore=rescore)
    retriever = Retriever(settings)
    results = retriever.search(query, k=k, dates=dates, as_of=as_of)
    if not results:
        _warn_if_empty(retriever)
    _note_undated(retriever, dates)
    if as_json:
        print(json.dumps({
            "query": query,
            "results": [
                {"rank": rank, "source": p.source, "chunk_id": p.id, "score": p.score, "title": p.title,
                 "published": p.published, "url": p.url, "text": p.text, "root": p.root}
                for rank, p in enumerate(results, start=1)
            ],
        }))
    else:
        render.search_results(results)


@app.command()
@handles_errors
def ask(
    question: Annotated[str, typer.Argument(help="Your question.", metavar="QUESTION", show_default=False)],
    k: TopK = 8,
    llm: Llm = None,
    since: Since = None,
    until: Until = None,
    as_of: AsOf = None,
    retrieval: Mode = None,
    rescore: Rescore = None,
    as_json: AsJson = False,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    embeddings: Embeddings = None,
) -> None:
    """Answer one question, citing passages.

    Every [n] in the answer points to a passage; the sources listed are the cited ones,
    each with the sentences that support the claim."""
    from . import render

    if not question.strip():
        raise UserError("the question is empty")
    dates = _dates(since, until)
    settings = _settings(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, llm=llm,
                         retrieval=retrieval, rescore=rescore)
    answerer = _answerer(settings, k)
    stream = not as_json and sys.stdout.isatty()
    with render.LiveAnswer(enabled=stream) as live:
        result = answerer.ask(question, as_of=as_of, dates=dates, on_token=live.feed if stream else None)
    if result.refused:
        _warn_if_empty(answerer.retriever)
    _note_undated(answerer.retriever, dates)
    if as_json:
        print(json.dumps(result.as_json()))
    else:
        render.answer(result)


@app.command()
@handles_errors
def chat(
    k: TopK = 8,
    llm: Llm = None,
    as_of: AsOf = None,
    retrieval: Mode = None,
    rescore: Rescore = None,
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    embeddings: Embeddings = None,
) -> None:
    """Chat with the articles; follow-ups are understood.

    Type /help for commands. When input is not a terminal, reads one question per line
    and prints each answer."""
    from .repl import Repl

    settings = _settings(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, llm=llm,
                         retrieval=retrieval, rescore=rescore)
    code = Repl(_answerer(settings, k), as_of=as_of).run()
    if code:
        raise typer.Exit(code)


@app.command("eval")
@handles_errors
def evaluate(
    file: Annotated[Path, typer.Argument(help="Questions, one JSON object per line: id, question, answers, sources.", metavar="FILE.jsonl", show_default=False)],
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Measure retrieval only; no answers are generated.")] = False,
    compare: Annotated[Optional[str], typer.Option("--compare", metavar="NAMES", help="Compare retrieval configurations side by side: any of baseline, dense, lexical, hybrid, hybrid+dates, hybrid+dates+rescore (comma-separated). Answers are generated for the default configuration only.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Only the first N questions.")] = None,
    k: TopK = 8,
    llm: Llm = None,
    retrieval: Mode = None,
    rescore: Rescore = None,
    as_json: AsJson = False,
    report_dir: Annotated[str, typer.Option(metavar="PATH", help="Where the Markdown report goes.")] = "eval/reports",
    index_dir: IndexDir = None,
    chroma_url: ChromaUrl = None,
    embeddings: Embeddings = None,
) -> None:
    """Measure retrieval and answers on a question set.

    Reports Hits@1/5/10 and MRR@10 over sources, answer correctness, refusal accuracy,
    citation validity and latency, and writes a Markdown report."""
    from . import render
    from .evaluation import load_questions, run_eval
    from .report import write_report

    from . import compare as comparing

    questions = load_questions(file)[:limit]
    report_dir = _folder(report_dir, "--report-dir")
    try:  # before the run, not after an hour of it
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write reports to {report_dir}: {exc.strerror or exc}") from None
    names = comparing.parse(compare) if compare else []
    settings = _settings(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, llm=llm,
                         retrieval=retrieval, rescore=rescore)
    answerer = _answerer(replace(settings, llm="none") if retrieval_only else settings, k)
    if missing := answerer.retriever.missing_sources(s for q in questions for s in q.sources):
        # A typo in the question file, or the wrong index: otherwise it only shows as low Hits@k.
        render.warning(str(file), f"{len(missing)} gold source(s) are not in the index ({', '.join(missing[:3])}"
                                  f"{', …' if len(missing) > 3 else ''}): check the file and --index-dir")
    progress = render.err if sys.stderr.isatty() else None
    results = []
    for name in names:
        with render.status(f"{name}: ranking sources for {len(questions)} questions…"):
            results.append(comparing.run_config(name, answerer.retriever, questions))
    if not (names and retrieval_only):
        label = f"answers ({settings.retrieval}{'+dates' if any(q.asked_on for q in questions) else ''}, k={k}, {settings.llm})"
        results.append(run_eval(answerer, questions, generate=not retrieval_only, progress=progress, label=label if names else ""))
    path = write_report(results, file, report_dir, settings)
    if as_json:
        summaries = [r.summary() for r in results]
        print(json.dumps(summaries if names else summaries[0]))
    else:
        for result in results:
            render.eval_summary(result.summary(), path if result is results[-1] else None)


def main() -> None:
    app()
