"""What the index fetched, kept in the index folder (`fetched.sqlite`): the last copy of
each URL with its ETag and Last-Modified (for conditional requests, and to fall back on
when the URL fails), how each URL root was given (--follow), and every article ever read
from a feed root, so a story that has scrolled off the feed, or whose page cannot be
reached today, stays indexed."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path

from ..types import Article
from .fetch import Download

FILE = "fetched.sqlite"


class Fetched:
    def __init__(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.path = index_dir / FILE
        with closing(self._connect()) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS copies (url TEXT PRIMARY KEY, final_url TEXT, kind TEXT, etag TEXT,"
                       " last_modified TEXT, body BLOB, fetched TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS roots (root TEXT PRIMARY KEY, follow INTEGER)")
            db.execute("CREATE TABLE IF NOT EXISTS entries (root TEXT, source TEXT, article TEXT, PRIMARY KEY (root, source))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def copy(self, url: str) -> Download | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT final_url, kind, etag, last_modified, body FROM copies WHERE url = ?",
                             (url,)).fetchone()
        if row is None:
            return None
        final_url, kind, etag, last_modified, body = row
        return Download(url, final_url, 200, kind, bytes(body), etag, last_modified)

    def fetched_on(self, url: str) -> str:
        with closing(self._connect()) as db:
            row = db.execute("SELECT fetched FROM copies WHERE url = ?", (url,)).fetchone()
        return row[0][:10] if row else ""

    def keep(self, download: Download) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO copies VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (download.url, download.final_url, download.kind, download.etag, download.last_modified,
                        download.body, now))

    def follows(self, root: str) -> bool:
        with closing(self._connect()) as db:
            row = db.execute("SELECT follow FROM roots WHERE root = ?", (root,)).fetchone()
        return bool(row and row[0])

    def set_follow(self, root: str, follow: bool) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO roots VALUES (?, ?)", (root, int(follow)))

    def entries(self, root: str) -> dict[str, Article]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT source, article FROM entries WHERE root = ? ORDER BY rowid", (root,)).fetchall()
        found = {}
        for source, data in rows:
            fields = json.loads(data)
            fields["authors"], fields["pages"] = tuple(fields.get("authors", ())), tuple(fields.get("pages", ()))
            found[source] = Article(**fields)
        return found

    def keep_entries(self, root: str, articles: list[Article]) -> None:
        with closing(self._connect()) as db, db:
            db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                           [(root, a.source, json.dumps(asdict(a), ensure_ascii=False)) for a in articles])
