"""The roots file, the room check before Chroma writes, and SQLite errors as one line,
with a real embedded Chroma and real MiniLM; a full disk is injected (statvfs, or
SQLite's own page limit, which fails exactly as a full disk does)."""

import errno
import json
import os
import sqlite3
from types import SimpleNamespace

import pytest
from conftest import SEED_SOURCE

from assistant.config import Settings
from assistant.errors import IndexDamagedError, NoSpaceError
from assistant.ingest.indexer import run_index
from assistant.retrieve.retriever import Retriever
from assistant.store import check, health, space
from assistant.store.chroma import Store
from assistant.store.lexical import LexicalIndex, lexical_path
from assistant.store.roots import FILE, Recorded, read_roots, write_roots


def test_roots_file_round_trip_and_atomic_replace(tmp_path):
    recorded = Recorded(("/data/news", "https://example.org/feed"), "embedded", "m", "news-1")
    write_roots(tmp_path, recorded)
    assert read_roots(tmp_path) == recorded
    stamp = (tmp_path / FILE).stat().st_mtime_ns
    write_roots(tmp_path, recorded)  # unchanged: not rewritten
    assert (tmp_path / FILE).stat().st_mtime_ns == stamp
    write_roots(tmp_path, Recorded(("/data/other",), "embedded"))
    assert read_roots(tmp_path).roots == ("/data/other",)
    assert [p.name for p in tmp_path.iterdir()] == [FILE]  # no temporary file left
    (tmp_path / FILE).write_text('{"roots": "/not/a/list"}')
    assert read_roots(tmp_path) is None


def test_a_full_disk_stops_indexing_before_chroma_writes(tmp_path, corpus, embeddings, monkeypatch):
    settings = Settings(index_dir=tmp_path / "idx")
    run_index(settings, [corpus], embeddings=embeddings)
    assert read_roots(settings.index_dir).roots == (str(corpus.resolve()),)
    before = Store(settings).require_active()[0].count()
    (corpus / "new.txt").write_text("Harbour reopens\n\nThe harbour reopened on Friday after the storm.\n")
    need = space.space_needed(settings.index_dir)
    real = os.statvfs
    monkeypatch.setattr(space.os, "statvfs", lambda path: SimpleNamespace(f_bavail=(need - 4096) // 4096, f_frsize=4096)
                        if str(path).startswith(str(tmp_path)) else real(path))
    with pytest.raises(NoSpaceError, match=f"no space left on {settings.index_dir} \\(.* MB free; writing to the index stops"):
        run_index(settings, [corpus], embeddings=embeddings)
    monkeypatch.setattr(space.os, "statvfs", real)
    retriever = Retriever(settings, embeddings)
    assert retriever.collection.count() == before  # nothing was written
    assert retriever.search("Who claimed the Ahvaz attack?", k=1)[0].source == SEED_SOURCE
    run_index(settings, [corpus], embeddings=embeddings)  # with room again, the run completes
    assert Store(settings).require_active()[0].count() == before + 1


def test_a_keyword_table_that_cannot_grow_is_searched_as_it_is(tmp_path, corpus, embeddings, monkeypatch, capsys):
    settings = Settings(index_dir=tmp_path / "idx")
    run_index(settings, [corpus], embeddings=embeddings)
    collection = Store(settings).require_active()[0]
    path = lexical_path(settings, collection.name)
    with sqlite3.connect(path) as db:  # make it stale: rows missing, so a reader must write them
        db.execute("DELETE FROM chunks WHERE source = ?", (SEED_SOURCE,))
        db.execute("DELETE FROM state")
    with sqlite3.connect(path) as db:
        db.execute("VACUUM")
    original = LexicalIndex.__init__

    def full(self, path):  # the file may not grow by a page: SQLite then fails with SQLITE_FULL, as on a full disk
        original(self, path)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(LexicalIndex, "__init__", full)
    results = Retriever(settings, embeddings).search("Who claimed the Ahvaz attack?", k=3)
    assert results and results[0].source == SEED_SOURCE  # dense search still finds it
    err = capsys.readouterr().err
    assert f"warning: {settings.index_dir}: no space left to refresh the keyword table" in err


def test_storage_errors_in_one_line(tmp_path):
    error = health.explain(OSError(errno.ENOSPC, "No space left on device"), tmp_path)
    assert isinstance(error, NoSpaceError) and str(error).startswith(f"no space left on {tmp_path} (")
    error = health.explain(sqlite3.OperationalError("database or disk is full"), tmp_path, embedded=False)
    assert isinstance(error, NoSpaceError)
    (tmp_path / "records.sqlite").write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    error = health.explain(sqlite3.DatabaseError("file is not a database"), tmp_path)
    assert isinstance(error, IndexDamagedError) and "records.sqlite" in str(error) and str(error).endswith(
        "run `assistant index --rebuild`")
    assert health.explain(ValueError("a bug"), tmp_path, embedded=False) is None


def test_sqlite_problem(tmp_path):
    path = tmp_path / "a.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 200)
    assert health.sqlite_problem(path) is None
    path.write_bytes(path.read_bytes()[:8192])
    assert health.sqlite_problem(path).startswith("truncated: 8,192 of")
    path.write_bytes(os.urandom(4096))
    assert health.sqlite_problem(path) == "not an SQLite database"
    assert health.sqlite_problem(tmp_path / "missing.sqlite") is None


def test_check_reports_a_whole_index(tmp_path, corpus, embeddings):
    settings = Settings(index_dir=tmp_path / "idx")
    run_index(settings, [corpus], embeddings=embeddings)
    parts = check.check_index(settings)
    assert [p.problem for p in parts] == [None] * len(parts), parts
    assert {"chroma/chroma.sqlite3", "records.sqlite", "records", "roots.json"} <= {p.name for p in parts}
    assert json.loads((settings.index_dir / FILE).read_text())["roots"] == [str(corpus.resolve())]
