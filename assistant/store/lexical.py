"""BM25 keyword search over chunks with SQLite FTS5.

The table is a cache derived from the Chroma collection: it is brought up to date by
comparing ids whenever the collection's revision or size changes, so an interrupted
index run, a rebuild, or a Chroma server filled from another machine never leaves it
silently wrong. Names, places and numbers, which MiniLM blurs, are matched exactly here.
"""

from __future__ import annotations

import functools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..ingest.chunking import chunk_body
from ..text.words import content_words
from .chroma import all_ids

SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(
    title, body, id UNINDEXED, source UNINDEXED, day UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
"""
FETCH = 500
# Title matches count double: headlines name what an article is about.
RANK = "bm25(chunks, 2.0, 1.0)"


def lexical_path(settings: Settings, collection_name: str) -> Path:
    return settings.index_dir / "lexical" / f"{collection_name}.sqlite"


@dataclass(frozen=True)
class LexicalHit:
    id: str
    score: float  # higher is better
    day: int | None = None
    text: str = ""  # title and body


def match_query(text: str) -> str:
    """An FTS5 query that ORs the question's content words, each quoted so that
    user text can never be read as FTS syntax."""
    terms = dict.fromkeys(w for w in content_words(text) if len(w) > 1 or w.isdigit())
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _explained(method):
    """SQLite errors as one line: a damaged table (exit 7) or a full disk (exit 8)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            from .health import lexical_error

            if (error := lexical_error(exc, self.path)) is None:
                raise
            raise error from exc
    return wrapper


class LexicalIndex:
    @_explained
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # LangChain runs chain steps on worker threads; each use here is serial.
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def _state(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else ""

    @_explained
    def sync(self, collection, revision: str) -> int:
        """Mirror the collection; returns how many rows changed."""
        count = collection.count()
        if self._state("revision") == revision and self._state("count") == str(count):
            return 0
        remote = set(all_ids(collection))
        local = {row[0] for row in self.db.execute("SELECT id FROM chunks")}
        gone = list(local - remote)
        new = sorted(remote - local)
        with self.db:
            for start in range(0, len(gone), FETCH):
                batch = gone[start:start + FETCH]
                self.db.execute(f"DELETE FROM chunks WHERE id IN ({','.join('?' * len(batch))})", batch)
            for start in range(0, len(new), FETCH):
                got = collection.get(ids=new[start:start + FETCH], include=["documents", "metadatas"])
                self.db.executemany(
                    "INSERT INTO chunks (title, body, id, source, day) VALUES (?, ?, ?, ?, ?)",
                    [
                        (meta.get("title", ""), chunk_body(doc, meta.get("title", "")), id_, meta.get("source", ""), meta.get("day"))
                        for id_, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])
                    ],
                )
            self.db.executemany(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
                [("revision", revision), ("count", str(count))],
            )
        return len(gone) + len(new)

    @_explained
    def mentions(self, phrase: str) -> bool:
        """Whether any chunk contains the phrase (same tokenizer and stemming as search)."""
        query = '"' + phrase.replace('"', '""') + '"'
        try:
            return self.db.execute("SELECT 1 FROM chunks WHERE chunks MATCH ? LIMIT 1", (query,)).fetchone() is not None
        except sqlite3.OperationalError:  # nothing searchable in it (punctuation only)
            return True

    @_explained
    def search_in(self, name: str, text: str, sources: list[str], limit: int) -> list[str]:
        """Ids of the chunks of `sources` that hold all the words of `name`, those holding
        most of `text`'s words first (then the rest naming it)."""
        wanted = " AND ".join('"' + w.replace('"', '""') + '"' for w in dict.fromkeys(content_words(name)) if len(w) > 1)
        if not wanted or not sources:
            return []
        marks = ",".join("?" * len(sources))
        sql = f"SELECT id, {RANK} AS rank FROM chunks WHERE chunks MATCH ? AND source IN ({marks}) ORDER BY rank LIMIT ?"
        found: list[str] = []
        topic = match_query(text)
        for query in (f"{wanted} AND ({topic})" if topic else None, wanted):
            if query is not None and len(found) < limit:
                rows = self.db.execute(sql, [query, *sources, limit]).fetchall()
                found += [row[0] for row in sorted(rows, key=lambda row: (row[1], row[0])) if row[0] not in found]
        return found[:limit]

    @_explained
    def undated_sources(self) -> int:
        """How many articles have no published date (a date filter leaves them out)."""
        return self.db.execute("SELECT COUNT(DISTINCT source) FROM chunks WHERE day IS NULL").fetchone()[0]

    @_explained
    def search(self, text: str, limit: int, since: int | None = None, until: int | None = None) -> list[LexicalHit]:
        query = match_query(text)
        if not query:
            return []
        sql = f"SELECT id, {RANK} AS rank, day, title || ' ' || body FROM chunks WHERE chunks MATCH ?"
        args: list = [query]
        if since is not None:
            sql += " AND day IS NOT NULL AND day >= ?"
            args.append(since)
        if until is not None:
            sql += " AND day IS NOT NULL AND day <= ?"
            args.append(until)
        sql += " ORDER BY rank LIMIT ?"
        args.append(2 * limit)
        # Ties by id, so the same corpus ranks the same however its rows were inserted.
        # Sorted here from twice the rows needed (so a tie at the cut is settled too):
        # "ORDER BY rank, id" in SQL measured twice as slow.
        rows = sorted(self.db.execute(sql, args), key=lambda row: (row[1], row[0]))[:limit]
        return [LexicalHit(id=row[0], score=-row[1], day=row[2], text=row[3]) for row in rows]
