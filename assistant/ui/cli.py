"""The `assistant` command line. Commands stay thin: they parse options, call the library
and render; every user mistake ends as one `error:` line and a non-zero exit code."""

from __future__ import annotations

import functools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import Settings
from ..errors import UserError
from .app import app
from .failures import handles_errors
from .options import (
    AsJson,
    AsOf,
    ChromaUrl,
    Embeddings,
    IndexDir,
    Llm,
    Mode,
    Rescore,
    Since,
    TopK,
    Until,
    date_range,
    folder,
    note_undated,
    question_text,
    settings_from,
)


def _warn_if_empty(retriever) -> None:
    """An index that exists but holds nothing (only unsupported files were given, say)
    answers every question with nothing: say why, not just "nothing matches"."""
    from . import render

    if retriever.collection.count() == 0:
        where = retriever.settings.chroma_url or str(retriever.settings.index_dir)
        render.warning(where, "the index holds no articles yet: add some with `assistant index PATH`")


def _answerer(settings: Settings, k: int, one_shot: bool = False):
    from ..answer.chain import Answerer
    from ..providers.llms import check_model, get_chat_model
    from ..retrieve.retriever import Retriever
    from . import render

    # A typo or a missing model file should not wait for the index to open; assembling
    # the local model's weights (once) shows its own progress before any answer does.
    check_model(settings.llm, on_progress=render.DownloadProgress("Assembling the local model (once)"))
    retriever = Retriever(settings)
    # Loaded when the first answer is generated: a question refused before the model is quick.
    llm = None if settings.llm == "none" else functools.partial(get_chat_model, settings.llm, one_shot=one_shot)
    return Answerer(retriever, llm, k=k)


@app.command()
@handles_errors
def index(
    paths: Annotated[Optional[list[str]], typer.Argument(
        metavar="PATH", help="Files or folders (.txt .md .html .jsonl .rss .atom .xml .pdf), or http(s) URLs of pages, "
                             "feeds or PDFs.", show_default=False)] = None,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Start from scratch; the old index stays usable until the new one is complete.")] = False,
    follow: Annotated[bool, typer.Option(
        "--follow", help="For feed URLs: index the pages their entries link to, not only the feed's text.")] = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Verify every part of the index (databases, vectors, records, keyword table); change nothing.")] = False,
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
    from ..ingest.fetch import is_url
    from ..ingest.indexer import run_index
    from ..ingest.problems import Problems
    from . import render

    if any(not path.strip() for path in paths or []):
        raise UserError("an empty corpus path was given (an unset shell variable?)")
    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, rescore=rescore)
    if check:
        from .check import check_index

        if paths or rebuild:
            raise UserError("--check takes no PATH and no --rebuild")
        return check_index(settings, as_json)
    quiet = as_json or not sys.stderr.isatty()
    report = run_index(settings, [path if is_url(path) else Path(path) for path in paths or []], rebuild=rebuild,
                       progress=None if quiet else render.IndexProgress(), problems=Problems(render.warning), follow=follow)
    data = report.as_json()
    if settings.rescore == "mpnet":
        from ..retrieve.rescore import prepare_index

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
def extract(
    source: Annotated[str, typer.Argument(help="A file, folder, feed or http(s) URL.", metavar="PATH_OR_URL", show_default=False)],
    follow: Annotated[bool, typer.Option("--follow", help="For a feed URL: read the pages its entries link to.")] = False,
    as_json: AsJson = False,
) -> None:
    """Show what the indexer reads from a file, folder, feed or URL, without indexing.

    Title, date, authors, site, url and text of each article; with --json one object per
    article per line. Character offsets elsewhere in the tool index into this text."""
    from ..errors import BackendError
    from ..ingest.extract import as_json as article_json
    from ..ingest.extract import extract_articles
    from ..ingest.problems import Problems
    from . import render

    if not source.strip():
        raise UserError("an empty path or URL was given (an unset shell variable?)")
    problems, count = Problems(render.warning), 0
    for article in extract_articles(source, problems, follow=follow):
        count += 1
        if as_json:
            print(json.dumps(article_json(article)), flush=True)
        else:
            render.article(article)
    if not count:
        if source in problems.unreadable:  # the URL could not be fetched: its warning says why
            raise BackendError(f"nothing extracted: {source} could not be fetched")
        raise UserError(f"nothing to index in {source}: see the warnings above")


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
    from ..retrieve.retriever import Retriever
    from . import render

    query = question_text(query, "the query")  # undecodable bytes in argv, empty, too long
    dates = date_range(since, until)
    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, retrieval=retrieval, rescore=rescore)
    retriever = Retriever(settings)
    results = retriever.search(query, k=k, dates=dates, as_of=as_of)
    if not results:
        _warn_if_empty(retriever)
    note_undated(retriever, dates)
    if as_json:
        print(json.dumps({
            "query": query,
            "results": [
                {"rank": rank, "source": p.source, "chunk_id": p.id, "score": p.score, "title": p.title,
                 "published": p.published, "url": p.url, "text": p.text, "root": p.root,
                 "site": p.site, "authors": list(p.authors), "page": p.page}
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

    question = question_text(question)
    dates = date_range(since, until)
    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, llm=llm,
                         retrieval=retrieval, rescore=rescore)
    answerer = _answerer(settings, k, one_shot=True)
    stream = not as_json and sys.stdout.isatty()
    with render.LiveAnswer(enabled=stream) as live:
        result = answerer.ask(question, as_of=as_of, dates=dates, on_token=live.feed if stream else None,
                              on_evidence=live.evidence if stream else None)
    if result.refused:
        _warn_if_empty(answerer.retriever)
    note_undated(answerer.retriever, dates)
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

    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, llm=llm,
                         retrieval=retrieval, rescore=rescore)
    code = Repl(_answerer(settings, k), as_of=as_of).run()
    if code:
        raise typer.Exit(code)


@app.command("eval")
@handles_errors
def evaluate(
    file: Annotated[Path, typer.Argument(
        help="Questions, one JSON object per line: id, question, answers, sources.", metavar="FILE.jsonl", show_default=False)],
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Measure retrieval only; no answers are generated.")] = False,
    compare: Annotated[Optional[str], typer.Option(
        "--compare", metavar="NAMES",
        help="Compare retrieval configurations side by side: any of baseline, dense, lexical, hybrid, hybrid+dates, "
             "hybrid+dates+rescore (comma-separated). Answers are generated for the default configuration only.")] = None,
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
    from ..evaluate import compare as comparing
    from ..evaluate.questions import load_questions
    from ..evaluate.report import write_report
    from ..evaluate.runner import run_eval
    from . import render

    questions = load_questions(file, on_warning=render.warning)[:limit]
    reports = folder(report_dir, "--report-dir")
    try:  # before the run, not after an hour of it
        reports.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot write reports to {reports}: {exc.strerror or exc}") from None
    names = comparing.parse(compare) if compare else []
    settings = settings_from(index_dir=index_dir, chroma_url=chroma_url, embeddings=embeddings, llm=llm,
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
    path = write_report(results, file, reports, settings)
    if as_json:
        summaries = [r.summary() for r in results]
        print(json.dumps(summaries if names else summaries[0]))
    else:
        for result in results:
            render.eval_summary(result.summary(), path if result is results[-1] else None)


from . import quotes, serving  # noqa: E402, F401, I001  (register `assistant quotes` and `assistant serve`)


def main() -> None:
    app()
