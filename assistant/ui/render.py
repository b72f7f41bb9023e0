"""How answers, search results and index runs look in a terminal (rich).

Piped or redirected, lines are not wrapped or padded to a width: a file or another
program gets one line per paragraph, with no trailing spaces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from rich.console import Console
from rich.live import Live
from rich.markdown import Markdown
from rich.markup import escape as _escape_markup
from rich.padding import Padding
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..text.safe import drop_controls

if TYPE_CHECKING:
    from ..ingest.indexer import IndexReport
    from ..types import Answer, Article, Citation, Excerpt, Passage

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def escape(text: str) -> str:
    """Text from outside (articles, file names, answers) ready for markup: brackets escaped
    and no control characters, so nothing indexed can send the terminal escape sequences."""
    return _escape_markup(drop_controls(text))


def name(text: str) -> str:
    """A file name or title as one line of markup."""
    return escape(text).replace("\n", " ")


def warning(item: str, reason: str) -> None:
    err.print(f"[yellow]warning:[/] {name(item)}: {escape(reason)}", soft_wrap=True)


def note(message: str) -> None:
    err.print(f"[dim]note: {escape(message)}[/]", soft_wrap=True)


def error(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


def line(console: Console, markup: str) -> None:
    """One line of markup: wrapped on a terminal, whole when piped."""
    console.print(markup, soft_wrap=not console.is_terminal)


def _indented(console: Console, markup: str) -> None:
    """Four spaces in; on a terminal, wrapped lines keep the indent."""
    if console.is_terminal:
        console.print(Padding(Text.from_markup(markup), (0, 0, 0, 4), expand=False))
    else:
        console.print("    " + markup, soft_wrap=True)


def _label(title: str, source: str, published: str, page: int | None = None, site: str = "") -> str:
    """Title · source (", p. N" for a PDF page) · site · date."""
    parts = [f"[bold]{name(title or source)}[/]"]
    where = f"{source}, p. {page}" if page else source
    if title and source:
        parts.append(f"[dim]{name(where)}[/]")
    if site:
        parts.append(f"[dim]{name(site)}[/]")
    if published:
        parts.append(f"[dim]{published}[/]")
    return " · ".join(parts)


def answer(result: "Answer", console: Console = out, show_text: bool = True) -> None:
    if show_text and result.answer:
        if console.is_terminal:
            console.print(Markdown(drop_controls(result.answer)))
        else:
            console.print(escape(result.answer), soft_wrap=True)
    if result.second_look:
        line(console, "[dim](Found on a second look: the model first judged the passages insufficient, "
                       "so check the quotes below.)[/]")
    if result.withheld:
        line(console, f"[dim]Not used: {escape(', '.join(dict.fromkeys(result.withheld)))} "
                       "(the passage gives the assistant instructions instead of reporting).[/]")
    if result.citations:
        if result.answer:
            console.print()
        heading = "Sources" if result.answer else "Best passages"
        console.print(f"[bold]{heading}[/]")
        for c in result.citations:
            line(console, f"[cyan]\\[{c.n}][/] {_label(c.title, c.source, c.published, c.page, c.site)}")
            if c.quote:
                said = f" [dim]— {name(c.speaker)}[/]" if c.speaker else ""
                _indented(console, f"[italic]{escape(_quoted(c.quote))}[/]{said}")


def _quoted(text: str) -> str:
    """In quote marks, unless the quote is already one whole quotation."""
    if len(text) > 1 and text[0] in "“\"" and text[-1] in "”\"" and not set(text[1:-1]) & set("“”\""):
        return text
    return f"“{text}”"


def excerpts(excerpts: list["Excerpt"], console: Console = out, citations: Sequence["Citation"] = ()) -> None:
    """Full retrieved text of each excerpt (all its chunks' sentences), then what the answer
    quoted from it: whose words, and where they are in the article's text."""
    for e in excerpts:
        line(console, f"[cyan]\\[{e.n}][/] {_label(e.first.title, e.first.source, e.first.published, e.first.page, e.first.site)}")
        line(console, escape(e.full_text))
        for c in (c for c in citations if c.n == e.n):
            said = f"{name(c.speaker)}, " if c.speaker else ""
            where = f"characters {c.start}–{c.end}" if c.start is not None else ""
            _indented(console, f"[dim]quoted ({said}{where}):[/] [italic]{escape(_quoted(c.quote))}[/]")
        console.print()


def speeches(found: list, console: Console = out) -> None:
    """`assistant quotes`: each speaker, then their statements with where they come from."""
    if not found:
        console.print("No statements found on this topic.")
        return
    for speech in found:
        also = [n for n in speech.names if n != speech.speaker.name]
        line(console, f"[bold]{name(speech.speaker.name)}[/]" + (f" [dim](also: {escape(', '.join(also))})[/]" if also else ""))
        for s in speech.statements:
            _indented(console, f"[italic]{escape(_quoted(s.quote))}[/]")
            _indented(console, f"  [dim]— {_label(s.title, s.source, s.published)}, characters {s.start}–{s.end}[/]")
        console.print()


def search_results(results: list["Passage"], console: Console = out) -> None:
    if not results:
        console.print("No matching passages.")
        return
    for rank, p in enumerate(results, start=1):
        line(console, f"[cyan]{rank:>2}.[/] {_label(p.title, p.source, p.published, p.page, p.site)} [dim]score {p.score:.4f}[/]")
        snippet = " ".join(p.text.split())
        _indented(console, f"{escape(snippet[:300])}{'…' if len(snippet) > 300 else ''}")


def index_report(report: "IndexReport", console: Console = out) -> None:
    console.print(
        f"Indexed in {report.seconds:.1f}s: {report.sources_added} added, {report.sources_updated} updated, "
        f"{report.sources_removed} removed, {report.sources_unchanged} unchanged; "
        f"{_count(report.chunks_embedded, 'chunk')} embedded, {report.chunks_deleted} deleted, "
        f"{report.chunks_total} in the index.",
        soft_wrap=True,
    )
    if report.fetches:
        f = report.fetches
        console.print(f"URLs: {f['fetched']} fetched, {f['not_modified']} unchanged since the last run (304), "
                      f"{f['failed']} failed.", soft_wrap=True)


def article(item: "Article", console: Console = out) -> None:
    """One article as `assistant extract` shows it: its metadata, then its text."""
    line(console, f"[bold]{name(item.title or item.source)}[/]")
    fields = [("source", item.source), ("published", item.published), ("authors", "; ".join(item.authors)),
              ("site", item.site), ("url", item.url), ("pages", str(len(item.pages)) if item.pages else "")]
    for label, value in fields:
        if value:
            line(console, f"[dim]{label}:[/] {name(value)}")
    for paragraph in item.text.split("\n\n"):
        console.print()
        line(console, escape(paragraph))
    console.print()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def rescore_report(vectors: dict, console: Console = out) -> None:
    console.print(f"Re-scoring vectors in {vectors['seconds']:.1f}s: {vectors['computed']} computed, "
                  f"{vectors['total']} in the index.", soft_wrap=True)


class LiveAnswer:
    """Shows the answer as it streams; the final, cited version replaces it. Until text
    arrives (retrieval, the model reading its passages, a refusal held back while a
    second look runs) a spinner says the assistant is at work."""

    def __init__(self, console: Console = out, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled and console.is_terminal
        self.text = ""
        self.live: Live | None = None

    def feed(self, token: str) -> None:
        self.text += token
        if self.live is not None and self.text.strip():
            self.live.update(Markdown(drop_controls(self.text)))

    def evidence(self, excerpts: Sequence["Excerpt"]) -> None:
        """The articles the model is reading, one line each (title · site or source ·
        date), printed above the spinner as soon as they are known; they stay on screen
        above the answer. Their numbers are the answer's [n] markers."""
        if self.live is None:
            return
        self.console.print(f"[dim]Reading {_count(len(excerpts), 'article')}:[/]", highlight=False)
        for e in excerpts:
            p = e.first
            where = p.site or (f"{p.source}, p. {p.page}" if p.page else p.source)
            parts = [name(p.title or p.source)] + [name(x) for x in (where if p.title else "", p.published) if x]
            self.console.print(f"[dim]  [cyan]\\[{e.n}][/] {' · '.join(parts)}[/]", no_wrap=True, overflow="ellipsis",
                               highlight=False)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def __enter__(self) -> "LiveAnswer":
        if self.enabled:
            from rich.spinner import Spinner

            self.live = Live(Spinner("dots", text=Text("Reading the articles…", style="dim")), console=self.console,
                             refresh_per_second=12, transient=True, vertical_overflow="visible")
            self.live.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def status(text: str):
    """A spinner on a terminal; nothing when stderr is a file or a pipe."""
    import contextlib

    return err.status(text) if err.is_terminal else contextlib.nullcontext()


def eval_summary(summary: dict, report_path=None, console: Console = out) -> None:
    r, a, f, c, t = (summary[key] for key in ("retrieval", "answers", "refusal", "citations", "latency_ms"))

    def pct(value) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    label = f" · {summary['label']}" if summary.get("label") else ""
    console.print(f"[bold]{summary['n']} questions{label}[/]", markup=True)
    console.print(f"retrieval ({r['n']} answerable): Hits@1 {pct(r['hits@1'])}  Hits@5 {pct(r['hits@5'])}  "
                  f"Hits@10 {pct(r['hits@10'])}  MRR@10 {pct(r['mrr@10'])}")
    if a["n"]:
        console.print(f"answers ({a['n']}): contains-gold {pct(a['contains'])}  token F1 {pct(a['f1'])}  "
                      f"refused {pct(a.get('refused'))}")
    if f["n"]:
        console.print(f"refusal ({f['n']} unanswerable): accuracy {pct(f['accuracy'])}")
    if a["n"]:
        console.print(f"citations: valid markers {pct(c['valid_markers'])}  pruned as unsupported {pct(c.get('pruned_markers'))}  "
                      f"added as corroborating {pct(c.get('added_markers'))}  gold source cited {pct(c['gold_source_cited'])} "
                      f"({pct(c.get('gold_source_cited_by_model'))} by the model's own markers)")
    console.print(f"latency: p50 {t['p50']} ms  p95 {t['p95']} ms")
    for kind, part in summary.get("by_kind", {}).items():
        pa, pf = part["answers"], part["refusal"]
        scores = [f"Hits@5 {pct(part['retrieval']['hits@5'])}"]
        if pa["n"]:
            scores.append(f"contains-gold {pct(pa['contains'])} of {pa['n']}")
        if pf["n"]:
            scores.append(f"refused {pct(pf['accuracy'])} of {pf['n']} unanswerable")
        console.print(f"  {escape(kind)}: {'  '.join(scores)}")
    if report_path is not None:
        console.print(f"report: {report_path}")


class IndexProgress:
    """Progress bar over articles, with the count of chunks embedded so far."""

    def __init__(self, console: Console = err) -> None:
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
            TextColumn("· {task.fields[embedded]} chunks embedded"), TimeElapsedColumn(),
            console=console, transient=False,
        )
        self.task: TaskID | None = None

    def start(self, label: str, total: int) -> None:
        if self.task is None:
            self.bar.start()
            self.task = self.bar.add_task(f"Indexing {name(label)}", total=total, embedded=0)
        else:
            self.bar.reset(self.task, total=total, description=f"Indexing {name(label)}", embedded=0)

    def advance(self, articles: int = 0, embedded: int = 0) -> None:
        if self.task is not None:
            fields = self.bar.tasks[self.task].fields
            self.bar.update(self.task, advance=articles, embedded=fields["embedded"] + embedded)

    def stop(self) -> None:
        self.bar.stop()


class DownloadProgress:
    """Progress of a one-off job: assembling model weights, computing re-scoring vectors."""

    def __init__(self, label: str, console: Console = err) -> None:
        self.label = label
        self.console = console
        self.bar: Progress | None = None
        self.task = TaskID(0)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = Progress(TextColumn(self.label), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done)
        if done >= total:
            self.bar.stop()
