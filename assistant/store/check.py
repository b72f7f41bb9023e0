"""`assistant index --check`: every part of the index checked in full (SQLite integrity of
each database, the collection against the records and the keyword table, the HNSW files
loaded by Chroma in a child process so that a crash cannot take the command down with it),
and, before a rebuild, the damaged files set aside."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError, one_line
from .health import CHROMA_DB, hnsw_problem, sqlite_problem, traces_of_index, vector_segments


def set_aside(index_dir: Path, embedded: bool, expect_index: bool = False) -> Path | None:
    """Before a rebuild: move every damaged database out of the way, into
    `INDEX_DIR/damaged-<time>/` (nothing is deleted), with what depends on it: Chroma's
    store takes the records and keyword tables along (they describe its collections).
    `expect_index`: roots.json records an index, so a Chroma store without one lost it.
    The roots file, fetched copies and re-scoring vectors stay. Returns the folder, or None."""
    moves: list[str] = []
    chroma_db = index_dir / "chroma" / CHROMA_DB
    if embedded and (index_dir / "chroma").exists():
        bad = sqlite_problem(chroma_db) if chroma_db.exists() and chroma_db.stat().st_size else "empty"
        if not bad:
            try:
                segments = vector_segments(index_dir / "chroma")
                bad = next(filter(None, (hnsw_problem(s) for s in segments)), None)
                if not segments and (expect_index or traces_of_index(index_dir, embedded)):
                    bad = "no collection"  # the index it held was lost: what describes it goes too
            except sqlite3.DatabaseError as exc:
                bad = one_line(exc)
        if bad:
            moves += ["chroma", "records.sqlite", "lexical"]
    if "records.sqlite" not in moves and sqlite_problem(index_dir / "records.sqlite"):
        moves += ["records.sqlite", "lexical"]
    if "lexical" not in moves and any(sqlite_problem(p) for p in (index_dir / "lexical").glob("*.sqlite")):
        moves.append("lexical")
    if sqlite_problem(index_dir / "fetched.sqlite"):
        moves.append("fetched.sqlite")
    moves = [name for name in moves if (index_dir / name).exists()]
    if not moves:
        return None
    aside = index_dir / time.strftime("damaged-%Y%m%d-%H%M%S")
    aside.mkdir()
    for name in moves:
        os.replace(index_dir / name, aside / name)
    for journal in ("records.sqlite-journal", "records.sqlite-wal", "records.sqlite-shm"):
        if "records.sqlite" in moves and (index_dir / journal).exists():
            os.replace(index_dir / journal, aside / journal)
    return aside




@dataclass(frozen=True)
class Part:
    name: str
    problem: str | None = None  # None: whole
    note: str = ""  # not damage, but worth saying (an unfinished run to resume)


_LOAD = r"""
import os, sys
os.environ["ANONYMIZED_TELEMETRY"] = "False"
import chromadb
client = chromadb.PersistentClient(sys.argv[1], settings=chromadb.Settings(anonymized_telemetry=False))
collection = client.get_collection(sys.argv[2])
count = collection.count()
if count:
    dimension = int(sys.argv[3])
    collection.query(query_embeddings=[[dimension ** -0.5] * dimension], n_results=min(count, 10))
    collection.get(limit=1, include=["embeddings"])
print(count)
"""


def load_in_child(index_dir: Path, collection_name: str, dimension: int, timeout: float = 600) -> str | None:
    """Let Chroma load and query the collection in another process: a crash there (a
    segfault in hnswlib) is reported instead of ending this one."""
    try:
        done = subprocess.run([sys.executable, "-c", _LOAD, str(index_dir / "chroma"), collection_name, str(dimension)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"loading it did not finish in {timeout:.0f} s"
    if done.returncode < 0:
        import signal

        return f"loading it crashed the process ({signal.Signals(-done.returncode).name})"
    if done.returncode:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        cause = ": ".join(" ".join(lines[-1].split()).split(": ")[-3:]) if lines else f"exit {done.returncode}"
        return f"Chroma cannot load them: {cause[-200:]}"
    return None


def check_index(settings) -> list[Part]:
    """Every part of the index, checked in full. Runs under the index lock (no writer)."""
    from .chroma import Store, all_ids
    from .lexical import lexical_path
    from .locks import chroma_lock
    from .roots import read_roots, store_name

    index_dir = settings.index_dir
    embedded = not settings.chroma_url
    parts: list[Part] = []
    recorded = read_roots(index_dir)
    if embedded:
        chroma_db = index_dir / "chroma" / CHROMA_DB
        if not chroma_db.exists() or not chroma_db.stat().st_size:
            state = "missing" if not chroma_db.exists() else "empty"
            parts.append(Part(f"chroma/{CHROMA_DB}", state if recorded else None, "" if recorded else "no index yet"))
            if not recorded:
                return parts
        else:
            with chroma_lock(index_dir):
                parts.append(Part(f"chroma/{CHROMA_DB}", sqlite_problem(chroma_db, integrity=True)))
    for name in ("records.sqlite", "fetched.sqlite"):
        if (index_dir / name).exists():
            parts.append(Part(name, sqlite_problem(index_dir / name, integrity=True)))
    if any(p.problem for p in parts):
        return parts  # Chroma or the records cannot be read reliably: nothing more to compare
    store = Store(settings)
    try:
        active = store.active(check=False)
    except UserError as exc:
        return [*parts, Part("collection", str(exc))]
    if active is None:
        problem = "holds no index, although roots.json records one" if recorded and recorded.store == store_name(
            settings.chroma_url) else None
        return [*parts, Part("collection", problem, "" if problem else "no index yet")]
    collection, info = active
    if embedded:
        with chroma_lock(index_dir):
            segments = [s for s in vector_segments(index_dir / "chroma") if s.collection == collection.name]
            problem = next(filter(None, (hnsw_problem(s) for s in segments)), None)
            if problem is None:
                problem = load_in_child(index_dir, collection.name, info.dimension)
        parts.append(Part(f"vector files ({collection.name})", problem))
        if problem:
            return parts
    ids = set(all_ids(collection))
    with closing(sqlite3.connect(f"{(index_dir / 'records.sqlite').resolve().as_uri()}?mode=ro", uri=True)) as db:
        try:
            keys = [row[0] for row in db.execute(
                "SELECT key FROM upsertion_record WHERE substr(namespace, 1, ?) = ?",
                (len(collection.name) + 1, collection.name + ":"))]
        except sqlite3.OperationalError:
            keys = []
    interrupted = (index_dir / "indexing.json").exists()
    disagree = _difference("vectors", ids, "records", set(keys)) or (
        f"{len(keys) - len(set(keys))} duplicate records" if len(keys) != len(set(keys)) else None)
    if disagree and interrupted:
        parts.append(Part("records", None, f"{disagree}: an interrupted `assistant index` left them; the next run reconciles"))
    else:
        parts.append(Part("records", disagree))
    keyword = lexical_path(settings, collection.name)
    if not keyword.exists():
        parts.append(Part("keyword table", None, "not built yet: the next search builds it"))
    elif problem := sqlite_problem(keyword, integrity=True):
        parts.append(Part(f"keyword table lexical/{keyword.name}", problem))
    else:
        with closing(sqlite3.connect(f"{keyword.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = [row[0] for row in db.execute("SELECT id FROM chunks")]
            kept = dict(db.execute("SELECT key, value FROM state").fetchall())
        disagree = _difference("vectors", ids, "keyword rows", set(rows))
        if kept.get("revision") != info.revision or kept.get("count") != str(len(ids)):
            parts.append(Part(f"keyword table lexical/{keyword.name}", None,
                              f"out of date ({disagree or 'an older revision'}): the next search refreshes it"))
        else:
            parts.append(Part(f"keyword table lexical/{keyword.name}", disagree))
    if recorded is None:
        parts.append(Part("roots.json", None, "missing: the next `assistant index` writes it"))
    elif recorded.roots != info.roots:
        parts.append(Part("roots.json", None, "out of step with the index: the next `assistant index` rewrites it"))
    else:
        parts.append(Part("roots.json"))
    return parts


def _difference(a_name: str, a: set[str], b_name: str, b: set[str]) -> str | None:
    only_a, only_b = len(a - b), len(b - a)
    if not (only_a or only_b):
        return None
    return f"{only_a} {a_name} without {b_name}, {only_b} {b_name} without {a_name}"
