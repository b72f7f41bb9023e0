"""Build and incrementally sync the index with LangChain's indexing API.

Each corpus root is one record-manager namespace, synced with `cleanup="full"`: chunks
whose hash is already recorded are skipped (never re-embedded), chunks of edited or
deleted articles are removed, and nothing is duplicated because chunk ids are content
hashes. A run that dies half-way leaves a marker; the next run reconciles Chroma with
the records before it starts, so every chunk ends up exactly once.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator, Protocol

from .articles import Problems, count_articles, read_articles, unsupported_files
from .chunking import chunk_article
from .config import Settings, default_corpus
from .errors import IndexBusyError, UserError
from .store import IndexInfo, Store, all_ids, check_embeddings, lexical_path, records_url

BATCH = 128
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

    def as_json(self) -> dict:
        data = asdict(self)
        data["warnings"] = [{"item": item, "problem": reason} for item, reason in self.warnings]
        return data


def chunk_key(doc) -> str:
    """Content hash of a chunk (text and metadata): its id in Chroma and in the records."""
    payload = json.dumps([doc.page_content, doc.metadata], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


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


def run_index(settings: Settings, paths: list[Path] | None = None, rebuild: bool = False,
              progress: Progress | None = None, problems: Problems | None = None, embeddings=None) -> IndexReport:
    started = time.monotonic()
    progress = progress or _NoProgress()
    problems = problems or Problems()
    paths = [Path(p).expanduser().resolve() for p in paths or []]
    for path in paths:
        if not path.exists():
            raise UserError(f"corpus path does not exist: {path}")

    from .embeddings import get_embeddings

    embeddings = embeddings or get_embeddings(settings.embeddings)
    store = Store(settings, writable=True)
    report = IndexReport()
    with index_lock(settings.index_dir):
        for leftover in store.incomplete():  # an interrupted --rebuild
            store.drop(leftover)
            _Records(settings, leftover.name).forget()
        active = store.active()
        known_roots = list(active[1].roots) if active else []
        if paths:
            roots = [str(p) for p in paths]
        elif known_roots and not rebuild:
            roots = known_roots
        else:
            roots = known_roots or [str(default_corpus())]
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
        records = _Records(settings, collection.name)
        marker = settings.index_dir / MARKER
        if marker.exists():
            report.chunks_deleted += records.reconcile(collection)
        marker.write_text(json.dumps({"collection": collection.name, "pid": os.getpid()}))

        from langchain_chroma import Chroma

        vectorstore = Chroma(client=store.client, collection_name=collection.name, embedding_function=embeddings)
        embeddings.on_progress = lambda n: progress.advance(embedded=n)
        try:
            for root in roots:
                root_path = Path(root)
                if not root_path.exists():
                    problems(root, "corpus path no longer exists; what was indexed from it is kept")
                    continue
                _sync_root(root_path, records, vectorstore, report, progress, problems)
        finally:
            progress.stop()
            embeddings.on_progress = None

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
            _Records(settings, old.name).forget()
            lexical_path(settings, old.name).unlink(missing_ok=True)
        from .lexical import LexicalIndex

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


def _sync_root(root: Path, records: "_Records", vectorstore, report: IndexReport,
               progress: Progress, problems: Problems) -> None:
    from langchain_core.documents import Document
    from langchain_core.indexing import index

    odd = unsupported_files(root)
    if odd:
        kinds = sorted({Path(name).suffix or name for name in odd})
        problems(str(root), f"{len(odd)} file(s) of unsupported type skipped ({', '.join(kinds[:8])})")
    manager = records.manager(str(root))
    before = records.keys_by_source(str(root))
    seen: dict[str, set[str]] = {}

    def changed_documents() -> Iterator[Document]:
        """Chunks of new and edited articles only: an unchanged article costs a chunking
        and a hash, never a record-manager write."""
        for article in read_articles(root, problems):
            docs = [Document(page_content=c.text, metadata=c.metadata) for c in chunk_article(article, str(root))]
            keys = {chunk_key(doc) for doc in docs}
            seen[article.source] = keys
            progress.advance(articles=1)
            if before.get(article.source) != keys:
                yield from docs

    progress.start(root.name or str(root), count_articles(root))
    # scoped_full: stale chunks of the articles that were yielded (edited ones) are deleted.
    result = index(
        changed_documents(),
        manager,
        vectorstore,
        cleanup="scoped_full",
        source_id_key="source",
        key_encoder=chunk_key,
        batch_size=BATCH,
    )
    report.chunks_embedded += result["num_added"] + result["num_updated"]
    report.chunks_deleted += result["num_deleted"]
    # Articles no longer in the corpus. Files that exist but could not be read keep
    # their chunks: only a full, clean read of the root may delete what is not there.
    removed = [] if problems.unreadable else sorted(before.keys() - seen.keys())
    gone = [key for source in removed for key in sorted(before[source])]
    for start in range(0, len(gone), 1000):
        batch = gone[start:start + 1000]
        vectorstore.delete(ids=batch)  # vectors first, then records, as index() does
        manager.delete_keys(batch)
    report.chunks_deleted += len(gone)
    for source, keys in seen.items():
        if source not in before:
            report.sources_added += 1
        elif before[source] == keys:
            report.sources_unchanged += 1
        else:
            report.sources_updated += 1
    report.sources_removed += len(removed)


class _Records:
    """The record managers of one collection: one namespace per corpus root."""

    def __init__(self, settings: Settings, collection_name: str) -> None:
        from langchain_classic.indexes import SQLRecordManager

        settings.index_dir.mkdir(parents=True, exist_ok=True)
        self.prefix = f"{collection_name}:"
        self._make = lambda root: SQLRecordManager(self.prefix + root, db_url=records_url(settings))
        self._engine_owner = self._make("")
        self._engine_owner.create_schema()

    def manager(self, root: str):
        return self._make(root)

    def _rows(self, namespace: str | None = None):
        from langchain_classic.indexes._sql_record_manager import UpsertionRecord
        from sqlalchemy import select

        query = select(UpsertionRecord.key, UpsertionRecord.group_id, UpsertionRecord.namespace)
        if namespace is None:
            query = query.where(UpsertionRecord.namespace.startswith(self.prefix, autoescape=True))
        else:
            query = query.where(UpsertionRecord.namespace == namespace)
        with self._engine_owner.engine.connect() as connection:
            return connection.execute(query).all()

    def keys_by_source(self, root: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for key, source, _ in self._rows(self.prefix + root):
            found.setdefault(source, set()).add(key)
        return found

    def reconcile(self, collection) -> int:
        """Repair after a crash: drop vectors nobody recorded and records of missing vectors."""
        from langchain_classic.indexes._sql_record_manager import UpsertionRecord
        from sqlalchemy import delete

        in_chroma = set(all_ids(collection))
        rows = self._rows()
        recorded = {key for key, _, _ in rows}
        orphans = list(in_chroma - recorded)
        for start in range(0, len(orphans), 1000):
            collection.delete(ids=orphans[start:start + 1000])
        ghosts = [(key, namespace) for key, _, namespace in rows if key not in in_chroma]
        with self._engine_owner.engine.begin() as connection:
            for key, namespace in ghosts:
                connection.execute(
                    delete(UpsertionRecord).where(UpsertionRecord.key == key, UpsertionRecord.namespace == namespace)
                )
        return len(orphans)

    def forget(self) -> None:
        from langchain_classic.indexes._sql_record_manager import UpsertionRecord
        from sqlalchemy import delete

        with self._engine_owner.engine.begin() as connection:
            connection.execute(
                delete(UpsertionRecord).where(UpsertionRecord.namespace.startswith(self.prefix, autoescape=True))
            )
