"""Build and incrementally sync the index with LangChain's indexing API.

Each corpus root is one record-manager namespace. New and edited articles go through
`index()` with `cleanup="scoped_full"`: chunks whose hash is already recorded are skipped
(never re-embedded) and the old chunks of edited articles are removed; the chunks of
deleted articles are removed explicitly. Nothing is duplicated because chunk ids are
content hashes. A run that dies half-way leaves a marker; the next run reconciles Chroma with
the records before it starts, so every chunk ends up exactly once.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

from ..config import Settings, default_corpus
from ..errors import IndexBusyError, IndexDamagedError, NoSpaceError, UserError
from ..store import health
from ..store.check import set_aside
from ..store.chroma import UNKNOWN_ROOTS, IndexInfo, Store, check_embeddings
from ..store.lexical import lexical_path
from ..store.locks import chroma_lock
from ..types import Article
from .chunking import chunk_article, chunk_key
from .fetch import is_url
from .files import count_articles, refuse_overlaps, unsupported_files
from .problems import Problems
from .readers import read_articles
from .records import Records, digest, fingerprint

BATCH = 128
LOOK_AHEAD = 2 * BATCH  # chunks read before embedding starts, to tell small updates from bulk ones
MARKER = "indexing.json"


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, articles: int = 0, embedded: int = 0) -> None: ...
    def stop(self) -> None: ...


class _NoProgress:
    def start(self, label: str, total: int) -> None: ...
    def advance(self, articles: int = 0, embedded: int = 0) -> None: ...
    def stop(self) -> None: ...


@dataclass
class IndexReport:
    sources_added: int = 0
    sources_updated: int = 0
    sources_removed: int = 0
    sources_unchanged: int = 0
    chunks_embedded: int = 0
    chunks_deleted: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    roots: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    fetches: dict = field(default_factory=dict)  # URL roots: fetched (new or changed), not_modified (304), failed

    def as_json(self) -> dict:
        data = asdict(self)
        data["warnings"] = [{"item": item, "problem": reason} for item, reason in self.warnings]
        return data


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(index_dir / "index.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise IndexBusyError(
            f"another `assistant index` is updating {index_dir} right now; wait for it to finish and try again"
        ) from None
    try:
        yield
    finally:
        lock.release()


def run_index(settings: Settings, paths: list[Path | str] | None = None, rebuild: bool = False,
              progress: Progress | None = None, problems: Problems | None = None, embeddings=None,
              follow: bool = False) -> IndexReport:
    """Sync the index with `paths` (files, folders, URLs), or with the paths and URLs it
    was built from. `follow`: the feeds among the URLs given are read through their entries' pages."""
    started = time.monotonic()
    progress = progress or _NoProgress()
    problems = problems or Problems()
    paths = [str(p) if is_url(str(p)) else Path(p).expanduser().resolve() for p in paths or []]
    for path in paths:
        if isinstance(path, Path) and not path.exists():
            raise UserError(f"corpus path does not exist: {path}")

    from ..providers.embeddings import get_embeddings

    embeddings = embeddings or get_embeddings(settings.embeddings)
    store = Store(settings, writable=True)
    report = IndexReport()
    with index_lock(settings.index_dir), health.guard(settings.index_dir, embedded=not settings.chroma_url):
        aside = None
        if rebuild:  # damaged databases go aside (kept, not deleted), so the rebuild starts clean
            with chroma_lock(settings.index_dir):
                aside = set_aside(settings.index_dir, embedded=not settings.chroma_url,
                                         expect_index=store.recorded() is not None)
            if aside:
                problems(str(aside), "the damaged index files were moved here; delete this folder once the rebuilt index works")
        for leftover in store.incomplete():  # an interrupted --rebuild
            store.drop(leftover)
            Records(settings, leftover.name).forget()
        active = store.active()
        known_roots = list(active[1].roots) if active else []
        recorded = store.recorded()
        lost = store.lost_index() if active is None else None
        if lost and not rebuild:
            raise IndexDamagedError(settings.index_dir, f"its Chroma store holds no index, although {lost}",
                                    *([] if recorded else [UNKNOWN_ROOTS]))
        if (lost or aside) and rebuild and not (paths or known_roots or recorded):  # an index made before roots.json
            raise IndexDamagedError(settings.index_dir, "it does not record the corpus paths it was built from", UNKNOWN_ROOTS)
        if paths:
            roots = list(dict.fromkeys(str(p) for p in paths))  # a path given twice is synced once
        elif known_roots and not rebuild:
            roots = known_roots
        else:
            # Never seeds/ in place of what the index (or roots.json, when Chroma's file was lost) records.
            roots = known_roots or (list(recorded.roots) if recorded else []) or [str(default_corpus())]
        if paths:
            refuse_overlaps([r for r in roots if not is_url(r)], [] if rebuild else [r for r in known_roots if not is_url(r)])
        if rebuild and (missing := [root for root in roots if not is_url(root) and not Path(root).exists()]):
            # A disk that is not mounted must not empty the index: refuse before anything changes.
            raise UserError(f"corpus path {missing[0]} no longer exists, so --rebuild would drop what was indexed "
                            f"from it; bring it back, or rebuild from the paths to keep: assistant index --rebuild PATH...")
        if active and not rebuild:
            collection, info = active
            check_embeddings(info, embeddings.name, embeddings.dimension)
            all_roots = list(dict.fromkeys(known_roots + roots))
            if all_roots != known_roots:
                # Record a new root before syncing it, so that the next plain `assistant index`
                # finishes (or cleans up) it if this run dies half-way.
                info = replace(info, roots=tuple(all_roots))
                store.update_info(collection, info)
        else:
            collection, info = store.create(
                IndexInfo(embeddings.name, embeddings.dimension, roots=tuple(roots), complete=active is None)
            )
            all_roots = roots
        records = Records(settings, collection.name)
        marker = settings.index_dir / MARKER
        if marker.exists():
            report.chunks_deleted += records.reconcile(collection)
        marker.write_text(json.dumps({"collection": collection.name, "pid": os.getpid()}))

        @functools.cache
        def vectorstore():  # only built when something changed: it costs a second of imports
            from langchain_chroma import Chroma

            return Chroma(client=store.client, collection_name=collection.name, embedding_function=embeddings)

        embeddings.on_progress = lambda n: progress.advance(embedded=n)
        web = _Web(settings, follow={str(p) for p in paths if isinstance(p, str)} if follow else set(),
                   given={p for p in paths if isinstance(p, str)})
        try:
            for root in roots:
                # Its own collector: what one root could not read must not stop deletions in another.
                found = Problems(on_warning=problems)
                if is_url(root):
                    articles, total = web.articles(root, found), 0
                elif not Path(root).exists():
                    problems(root, "corpus path no longer exists; what was indexed from it is kept "
                                   "(`index --rebuild PATH...` with the paths to keep drops it)")
                    continue
                else:
                    odd = unsupported_files(Path(root))
                    if odd:
                        kinds = sorted({Path(name).suffix or name for name in odd})
                        found(root, f"{len(odd)} file(s) of unsupported type skipped ({', '.join(kinds[:8])})")
                    articles, total = read_articles(Path(root), found), count_articles(Path(root))
                progress.start(Path(root).name if not is_url(root) and Path(root).name else root, total)
                _sync_root(root, articles, records, vectorstore, report, progress, found)
        except NoSpaceError:
            if not info.complete:  # a --rebuild's new collection is of no use half-made, and it takes the room
                with contextlib.suppress(Exception):
                    store.drop(collection)
                    Records(settings, collection.name).forget()
            raise
        finally:
            progress.stop()
            embeddings.on_progress = None
            web.close()
        report.fetches = web.counts.__dict__ if web.used else {}

        changed = report.chunks_embedded or report.chunks_deleted or rebuild or active is None
        info = IndexInfo(
            embeddings=info.embeddings,
            dimension=info.dimension,
            roots=tuple(all_roots),
            revision=secrets.token_hex(8) if changed or not info.revision else info.revision,
            complete=True,
            created=info.created,
        )
        store.update_info(collection, info)
        if rebuild and active:
            old = active[0]
            store.drop(old)
            Records(settings, old.name).forget()
            lexical_path(settings, old.name).unlink(missing_ok=True)
        from ..store.lexical import LexicalIndex

        lexical = LexicalIndex(lexical_path(settings, collection.name))
        try:
            lexical.sync(collection, info.revision)
        finally:
            lexical.close()
        marker.unlink(missing_ok=True)
        report.chunks_total = collection.count()
    report.roots = all_roots
    report.warnings = problems.warnings
    report.seconds = round(time.monotonic() - started, 2)
    return report


class _Web:
    """The HTTP client and the kept copies, made when the first URL root is read."""

    def __init__(self, settings: Settings, follow: set[str], given: set[str]) -> None:
        from .urls import FetchCounts

        self.settings, self.follow, self.given = settings, follow, given
        self.counts, self.used = FetchCounts(), False
        self._http: Any = None
        self._store: Any = None

    def articles(self, root: str, problems: Problems) -> Iterator[Article]:
        from .fetch import client
        from .fetched import Fetched
        from .urls import read_url

        if self._store is None:
            self._store, self._http, self.used = Fetched(self.settings.index_dir), client(), True
        if root in self.given:  # as given this time; a plain re-sync keeps how it was given before
            self._store.set_follow(root, root in self.follow)
        yield from read_url(root, self._store.follows(root), self._http, self._store, problems, self.counts)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


def _sync_root(root: str, articles: Iterator[Article], records: Records, vectorstore: Callable, report: IndexReport,
               progress: Progress, problems: Problems) -> None:
    before = records.keys_by_source(root)
    memo = records.memo(root)
    seen: dict[str, set[str]] = {}
    chunked: dict[str, tuple[str, str]] = {}

    def changed_documents() -> Iterator:
        """Chunks of new and edited articles only. An article whose content matches the
        memo of its recorded chunks is not even re-chunked."""
        from langchain_core.documents import Document

        for article in articles:
            progress.advance(articles=1)
            known = before.get(article.source)
            fp = fingerprint(article, root)
            if known and memo.get(article.source) == (fp, digest(known)):
                seen[article.source] = known
                continue
            docs = [Document(page_content=c.text, metadata=c.metadata) for c in chunk_article(article, root)]
            keys = {chunk_key(doc) for doc in docs}
            seen[article.source] = keys
            chunked[article.source] = (fp, digest(keys))
            if known != keys:
                yield from docs

    docs = changed_documents()
    # Read ahead far enough to tell a small update from a bulk one: a provider may embed
    # a few chunks more cheaply another way (MiniLMEmbeddings.expect).
    head = list(itertools.islice(docs, LOOK_AHEAD + 1))
    if head:
        from langchain_core.indexing import index

        store = vectorstore()
        expect = getattr(store.embeddings, "expect", lambda count: None)
        expect(len(head) if len(head) <= LOOK_AHEAD else None)
        try:
            # scoped_full: stale chunks of the articles that were yielded (edited ones) are deleted.
            result = index(
                itertools.chain(head, docs),
                records.manager(root),
                store,
                cleanup="scoped_full",
                source_id_key="source",
                key_encoder=chunk_key,
                batch_size=BATCH,
            )
        finally:
            expect(None)
        report.chunks_embedded += result["num_added"] + result["num_updated"]
        report.chunks_deleted += result["num_deleted"]
    # Articles no longer in the corpus. Files that exist but could not be read keep
    # their chunks: only a full, clean read of the root may delete what is not there.
    removed = [] if problems.unreadable else sorted(before.keys() - seen.keys())
    gone = [key for source in removed for key in sorted(before[source])]
    if gone:
        store, manager = vectorstore(), records.manager(root)
        for start in range(0, len(gone), 1000):
            batch = gone[start:start + 1000]
            store.delete(ids=batch)  # vectors first, then records, as index() does
            manager.delete_keys(batch)
    report.chunks_deleted += len(gone)
    forgotten = [] if problems.unreadable else sorted(memo.keys() - seen.keys())
    records.remember(root, chunked, forgotten)
    for source, keys in seen.items():
        if source not in before:
            report.sources_added += 1
        elif before[source] == keys:
            report.sources_unchanged += 1
        else:
            report.sources_updated += 1
    report.sources_removed += len(removed)
