"""What has been indexed: LangChain's record managers, one namespace per corpus root,
plus a memo of which chunk keys each article produced.

Writes go through LangChain's `SQLRecordManager` (and its `index()`); the frequent reads
of a re-sync use sqlite3 directly, so an unchanged corpus is checked without importing
the LangChain indexing stack. The memo lets a re-sync skip re-chunking articles whose
content has not changed; it is trusted only while it matches the records, so a stale
or missing memo costs a re-chunk, never a wrong index.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from ..config import Settings
from ..text import sentences
from ..types import Article
from . import chunking

RECORDS = "upsertion_record"  # SQLRecordManager's table
MEMO = "article_chunks"


def _code_version() -> str:
    """Chunks and their keys depend on this code as well as on the article: the chunker,
    its sentence splitter and the key function (in chunking.py). Without the sources (a
    bytecode-only install) the memo is never trusted."""
    files = [chunking.__file__, sentences.__file__]
    try:
        return hashlib.sha256(b"".join(Path(f).read_bytes() for f in files)).hexdigest()
    except OSError:
        return secrets.token_hex(16)


_CODE = _code_version()


def fingerprint(article: Article, root: str) -> str:
    fields = [_CODE, root, article.source, article.title, article.text, article.published, article.url,
              list(article.authors), article.site, list(article.pages)]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def digest(keys: set[str]) -> str:
    return hashlib.sha256(" ".join(sorted(keys)).encode()).hexdigest()


@contextmanager
def _unless_no_table():
    """LangChain creates its table on the first write: before that there is nothing to read or delete."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise


class Records:
    """The records of one collection."""

    def __init__(self, settings: Settings, collection_name: str) -> None:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        self.path = settings.index_dir / "records.sqlite"
        self.prefix = f"{collection_name}:"
        self._managers: dict[str, Any] = {}  # SQLRecordManager by root, made on first use
        with closing(self._connect()) as db, db:
            db.execute(f"CREATE TABLE IF NOT EXISTS {MEMO} (namespace TEXT, source TEXT, fingerprint TEXT,"
                       " keys_digest TEXT, PRIMARY KEY (namespace, source))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def manager(self, root: str):
        if root not in self._managers:
            from langchain_classic.indexes import SQLRecordManager

            self._managers[root] = SQLRecordManager(self.prefix + root, db_url=f"sqlite:///{self.path}")
            self._managers[root].create_schema()
        return self._managers[root]

    def _rows(self, query: str, *args) -> list[tuple]:
        rows: list[tuple] = []
        with closing(self._connect()) as db, _unless_no_table():
            rows = db.execute(query, args).fetchall()
        return rows

    def keys_by_source(self, root: str) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for key, source in self._rows(f"SELECT key, group_id FROM {RECORDS} WHERE namespace = ?", self.prefix + root):
            found.setdefault(source, set()).add(key)
        return found

    def memo(self, root: str) -> dict[str, tuple[str, str]]:
        """source -> (fingerprint, keys digest) of the articles chunked by earlier runs."""
        rows = self._rows(f"SELECT source, fingerprint, keys_digest FROM {MEMO} WHERE namespace = ?", self.prefix + root)
        return {source: (fp, keys) for source, fp, keys in rows}

    def remember(self, root: str, chunked: dict[str, tuple[str, str]], forgotten: list[str]) -> None:
        namespace = self.prefix + root
        with closing(self._connect()) as db, db:
            db.executemany(f"INSERT OR REPLACE INTO {MEMO} VALUES (?, ?, ?, ?)",
                           [(namespace, source, fp, keys) for source, (fp, keys) in chunked.items()])
            db.executemany(f"DELETE FROM {MEMO} WHERE namespace = ? AND source = ?",
                           [(namespace, source) for source in forgotten])

    def reconcile(self, collection) -> int:
        """Repair after a crash: drop vectors nobody recorded and records of missing vectors."""
        from ..store.chroma import all_ids

        in_chroma = set(all_ids(collection))
        rows = self._rows(f"SELECT key, namespace FROM {RECORDS} WHERE substr(namespace, 1, ?) = ?",
                          len(self.prefix), self.prefix)
        recorded = {key for key, _ in rows}
        orphans = list(in_chroma - recorded)
        for start in range(0, len(orphans), 1000):
            collection.delete(ids=orphans[start:start + 1000])
        ghosts = [(key, namespace) for key, namespace in rows if key not in in_chroma]
        if ghosts:  # (a run killed before LangChain created its table has no records at all)
            with closing(self._connect()) as db, db:
                db.executemany(f"DELETE FROM {RECORDS} WHERE key = ? AND namespace = ?", ghosts)
        return len(orphans)

    def forget(self) -> None:
        with closing(self._connect()) as db, db:
            for table in (RECORDS, MEMO):
                with _unless_no_table():
                    db.execute(f"DELETE FROM {table} WHERE substr(namespace, 1, ?) = ?", (len(self.prefix), self.prefix))
