"""Is the index whole, and is there room to write it?

Three layers, cheapest first:

- Probes every command runs on the embedded store before Chroma reads a file: Chroma's
  SQLite catalogue (the small tables it reads on opening, whose damage makes it panic),
  and the active collection's HNSW files, checked structurally in Python (header, sizes,
  every neighbour id in range, unit-length vectors). Chroma loads these files in C++
  without checks: a garbled `data_level0.bin` segfaults the process, a truncated or
  missing one silently serves part of the index. A few milliseconds per command.
- When a Chroma, SQLite or SQLAlchemy call fails anyway, `explain` looks for the cause
  (a full disk; a file that fails SQLite's quick_check or the HNSW probe) and turns it
  into one line: `IndexDamagedError` (exit 7) or `NoSpaceError` (exit 8).
- `check_index` (`assistant index --check`): SQLite integrity checks of every database,
  the collection against the records and the keyword table, and the HNSW files loaded
  by Chroma in a child process, so that a crash cannot take the command down with it.

Writes that can make Chroma persist its HNSW files (add, upsert, update, delete) first
check that the disk has room for them (`require_space`): Chroma writes those files in
place, and a write cut short by a full disk leaves them damaged (seen: an empty
`index_metadata.pickle`), whereas SQLite rolls back cleanly.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import struct
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import IndexDamagedError, NoSpaceError, UserError, one_line

CHROMA_DB = "chroma.sqlite3"
# The tables Chroma reads when it opens and lists collections (page damage in
# `migrations` made it panic in tests); `PRAGMA quick_check(TABLE)` checks one table and its indexes.
CATALOGUE = ("sqlite_schema", "migrations", "tenants", "databases", "collections", "collection_metadata",
             "segments", "segment_metadata", "max_seq_id", "embeddings_queue_config")
HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin", "index_metadata.pickle")
_HEADER = struct.Struct("<iQQQQQQiIQQQdQ")  # hnswlib's persisted header (chroma-core/hnswlib, version 1)
# Room a write must leave: Chroma's SQLite log and compaction for one batch take about
# 1-3 MB (measured with batches of 128 chunks), and a compaction may rewrite the HNSW
# files whole; what is left over lets readers open the index after a run stopped for space.
SPACE_MARGIN = 8 * 2**20
_WRITES = frozenset({"add", "upsert", "update", "delete"})
_SQLITE_CORRUPT = ("malformed", "not a database", "code: 11)", "code: 26)")
_SQLITE_FULL = ("database or disk is full", "code: 13)", "no space left", "os error 28", "disk quota")


def _damaged(index_dir: Path, what: str) -> IndexDamagedError:
    return IndexDamagedError(index_dir, what)


# ---------------------------------------------------------------- SQLite files

def sqlite_problem(path: Path, tables: tuple[str, ...] | None = None, integrity: bool = False) -> str | None:
    """What is wrong with the SQLite file at `path`, or None. `tables`: only those tables
    (and their indexes) are checked, which is quick; otherwise the whole file."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size:
        with open(path, "rb") as f:
            head = f.read(100)
        if not head.startswith(b"SQLite format 3\x00"):
            return "not an SQLite database"
        page_size = int.from_bytes(head[16:18], "big")
        page_size = 65536 if page_size == 1 else page_size
        pages, counter, valid_for = (int.from_bytes(head[i:i + 4], "big") for i in (28, 24, 92))
        if len(head) < 100 or (pages and counter == valid_for and size < pages * page_size):
            return f"truncated: {size:,} of {pages * page_size:,} bytes"
    try:
        with closing(_connect_existing(path)) as db:
            pragma = "integrity_check" if integrity else "quick_check"
            checks = [f"PRAGMA {pragma}"] if tables is None else [f"PRAGMA quick_check({t})" for t in tables]
            for check in checks:
                try:
                    rows = db.execute(check).fetchmany(3)
                except sqlite3.OperationalError as exc:
                    if "no such table" in str(exc):  # an older or newer schema: not damage
                        continue
                    raise
                if rows != [("ok",)]:
                    return "; ".join(str(r[0]) for r in rows)[:200]
    except sqlite3.DatabaseError as exc:
        if _is_full(exc) or "locked" in str(exc) or "readonly" in str(exc) or "unable to open" in str(exc):
            return None  # not evidence of damage
        return one_line(exc)
    return None


def _connect_existing(path: Path) -> sqlite3.Connection:
    """Read-write when allowed (a hot journal left by a crash is rolled back, as Chroma
    itself would), read-only otherwise; never creates the file."""
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def _is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = f"{exc} {getattr(exc, 'orig', '')}".lower()
    return any(mark in text for mark in _SQLITE_FULL)


def _looks_corrupt(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc} {getattr(exc, 'orig', '')}".lower()
    return "panic" in text or "hnsw" in text or "pickle" in text or any(mark in text for mark in _SQLITE_CORRUPT)


# ---------------------------------------------------------------- the embedded Chroma store

@dataclass(frozen=True)
class VectorSegment:
    collection: str  # collection name
    folder: Path
    dimension: int
    persisted: bool  # Chroma has written (and will load) its HNSW files
    cosine: bool


def _catalogue(chroma_dir: Path) -> list[VectorSegment]:
    with closing(_connect_existing(chroma_dir / CHROMA_DB)) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(collections)")}
        schema = "COALESCE(c.schema_str, '')" if "schema_str" in columns else "''"
        rows = db.execute(
            f"SELECT c.name, s.id, c.dimension, m.seq_id IS NOT NULL, {schema} FROM segments s "
            "JOIN collections c ON c.id = s.collection LEFT JOIN max_seq_id m ON m.segment_id = s.id "
            "WHERE s.scope = 'VECTOR'").fetchall()
    return [VectorSegment(name, chroma_dir / seg, int(dim or 0), bool(persisted), '"space":"cosine"' in schema.replace(" ", ""))
            for name, seg, dim, persisted, schema in rows]


def probe_catalogue(index_dir: Path, expect_index: bool, may_create: bool = False) -> None:
    """Before Chroma opens the embedded store: its SQLite file is there when an index was
    recorded (`may_create`: a writer may start a missing one), and the tables it reads
    on opening are whole. Raises IndexDamagedError."""
    path = index_dir / "chroma" / CHROMA_DB
    if expect_index and not path.exists() and not may_create:
        raise _damaged(index_dir, f"chroma/{CHROMA_DB} is missing")
    if expect_index and path.exists() and path.stat().st_size == 0:
        raise _damaged(index_dir, f"chroma/{CHROMA_DB} is empty")
    if problem := sqlite_problem(path, CATALOGUE):
        raise _damaged(index_dir, f"chroma/{CHROMA_DB}: {problem}")


def traces_of_index(index_dir: Path, embedded: bool) -> str | None:
    """Signs that an index existed here although its collection is gone (for an index
    made before roots.json): records of indexed articles, or Chroma's vector folders."""
    records = index_dir / "records.sqlite"
    if records.exists():
        try:
            with closing(sqlite3.connect(f"{records.resolve().as_uri()}?mode=ro", uri=True)) as db:
                if db.execute("SELECT 1 FROM upsertion_record LIMIT 1").fetchone():
                    return "records.sqlite lists indexed articles"
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                return "records.sqlite lists indexed articles"
        except sqlite3.DatabaseError:
            return "records.sqlite lists indexed articles"
    chroma = index_dir / "chroma"
    if embedded and chroma.is_dir() and any(p.is_dir() and (p / "header.bin").exists() for p in chroma.iterdir()):
        return "chroma/ holds vector files"
    return None


def probe_vectors(index_dir: Path, collection_name: str) -> None:
    """Before Chroma loads a collection's HNSW files: they are whole. Raises IndexDamagedError."""
    try:
        segments = [s for s in _catalogue(index_dir / "chroma") if s.collection == collection_name]
    except sqlite3.DatabaseError as exc:
        raise _damaged(index_dir, f"chroma/{CHROMA_DB}: {one_line(exc)}") from None
    for segment in segments:
        if problem := hnsw_problem(segment):
            raise _damaged(index_dir, f"vector files of {collection_name}: {problem}")


def hnsw_problem(segment: VectorSegment) -> str | None:
    """What is wrong with a persisted HNSW index, checked without loading it: what
    hnswlib would read past, or follow out of bounds, or silently miss."""
    if not segment.persisted:
        return None  # Chroma rebuilds it from its log: nothing on disk is read
    folder = segment.folder
    for name in HNSW_FILES:
        if not (folder / name).is_file():
            return f"{folder.name}/{name} is missing"
    header = (folder / "header.bin").read_bytes()
    if len(header) != _HEADER.size:
        return f"{folder.name}/header.bin has {len(header)} bytes, not {_HEADER.size}"
    (version, offset0, capacity, count, per_element, label_at, data_at, top_level, entry,
     max_m, max_m0, m, _mult, _ef) = _HEADER.unpack(header)
    links0 = 4 + 4 * max_m0
    dim = segment.dimension
    if not (version == 1 and offset0 == 0 and 0 < m <= 4096 and max_m == m and max_m0 == 2 * m
            and data_at == links0 and (dim <= 0 or label_at == links0 + 4 * dim) and per_element == label_at + 8
            and label_at > data_at and per_element % 4 == 0 and count <= capacity < 2**40 and 0 <= top_level < 64
            and (count == 0 or entry < count)):
        return f"{folder.name}/header.bin does not describe an index of {dim}-d vectors"
    # Only the elements in use are written (the files grow as the index does, up to its capacity).
    for name, need in (("data_level0.bin", count * per_element), ("length.bin", count * 4)):
        if (size := (folder / name).stat().st_size) < need:
            return f"{folder.name}/{name} is truncated ({size:,} of {need:,} bytes)"
    pickle = folder / "index_metadata.pickle"
    with open(pickle, "rb") as f:
        start = f.read(2)
        f.seek(max(pickle.stat().st_size - 1, 0))
        end = f.read(1)
    if not (start[:1] == b"\x80" and end == b"."):
        return f"{folder.name}/index_metadata.pickle is not a whole pickle"
    if count == 0:
        return None
    import numpy as np

    lengths = np.fromfile(folder / "length.bin", dtype="<f4", count=count)
    if not ((lengths > 1e-6) & (lengths < 1e6)).all():  # the vectors' norms before normalising (NaN fails too)
        return f"{folder.name}/length.bin holds garbled vector lengths"

    words = per_element // 4
    rows = np.fromfile(folder / "data_level0.bin", dtype="<u4", count=count * words).reshape(count, words)
    head = rows[:, 0]
    sizes = head & 0xFFFF
    if (sizes > max_m0).any() or (head >> 17).any():  # list size, then the delete mark (bit 16), then zeros
        return f"{folder.name}/data_level0.bin holds a garbled neighbour list"
    neighbours = rows[:, 1:1 + max_m0]
    used = np.arange(max_m0) < sizes[:, None]
    if (neighbours[used] >= count).any() or (neighbours == np.arange(count)[:, None])[used].any():
        return f"{folder.name}/data_level0.bin links to elements that do not exist"
    if segment.cosine:
        vectors = rows[:, data_at // 4:label_at // 4].view("<f4")
        norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors, dtype=np.float64))
        if not (np.abs(norms - 1.0) < 1e-2).all():
            return f"{folder.name}/data_level0.bin holds vectors that are not unit length"
    return _upper_levels_problem(folder, count, max_m, top_level, entry)


def _upper_levels_problem(folder: Path, count: int, max_m: int, top_level: int, entry: int) -> str | None:
    data = (folder / "link_lists.bin").read_bytes()
    per_level = 4 + 4 * max_m
    unpack = struct.Struct("<I").unpack_from
    at, highest = 0, 0
    for element in range(count):
        if at + 4 > len(data):
            return f"{folder.name}/link_lists.bin is truncated"
        (size,) = unpack(data, at)
        at += 4
        if not size:
            continue
        if size % per_level or size // per_level > top_level or at + size > len(data):
            return f"{folder.name}/link_lists.bin holds a garbled link list"
        levels = size // per_level
        highest = max(highest, levels)
        for level in range(levels):
            base = at + level * per_level
            (n,) = unpack(data, base)
            if n > max_m:
                return f"{folder.name}/link_lists.bin holds a garbled link list"
            ids = struct.unpack_from(f"<{n}I", data, base + 4)
            if any(i >= count or i == element for i in ids):
                return f"{folder.name}/link_lists.bin links to elements that do not exist"
        at += size
    if highest != top_level:
        return f"{folder.name}/link_lists.bin does not match header.bin"
    return None


# ---------------------------------------------------------------- room to write

def free_bytes(path: Path) -> int:
    for candidate in (path, *path.parents):
        try:
            stats = os.statvfs(candidate)
            return stats.f_bavail * stats.f_frsize
        except FileNotFoundError:
            continue
    return 2**62


def space_needed(index_dir: Path) -> int:
    """Free space a Chroma write must leave: the margin plus the size of the HNSW files,
    which one compaction may rewrite."""
    total = 0
    try:
        for folder in (index_dir / "chroma").iterdir():
            if folder.is_dir():
                total += sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    except OSError:
        pass
    return SPACE_MARGIN + total


def require_space(index_dir: Path) -> None:
    need, free = space_needed(index_dir), free_bytes(index_dir)
    if free < need:
        raise no_space(index_dir, free, need)


def no_space(index_dir: Path, free: int | None = None, need: int | None = None) -> NoSpaceError:
    free = free_bytes(index_dir) if free is None else free
    detail = f"{free / 2**20:.1f} MB free"
    if need is not None:
        detail += f"; writing to the index stops while less than {need / 2**20:.0f} MB is free, so what it holds stays usable"
    return NoSpaceError(index_dir, detail)


def is_write(method: str) -> bool:
    return method in _WRITES


# ---------------------------------------------------------------- explaining failures

def explain(exc: BaseException, index_dir: Path, embedded: bool = True) -> UserError | None:
    """The one-line error behind a failed storage call, or None to let it through."""
    if isinstance(exc, UserError):
        return exc
    if _is_full(exc) or (embedded and free_bytes(index_dir) < 2**20 and not isinstance(exc, (KeyboardInterrupt, SystemExit))):
        return no_space(index_dir)
    if embedded:
        if problem := diagnose(index_dir):
            return _damaged(index_dir, problem)
    if _looks_corrupt(exc):
        # Chroma's messages nest their causes ("Error executing plan: ...: Error deserializing
        # pickle file: ..."): the last ones say what it could not read.
        cause = ": ".join(one_line(exc, 2000).split(": ")[-3:])
        return _damaged(index_dir, f"Chroma cannot read it: {cause[-160:]}")
    return None


def diagnose(index_dir: Path, chroma: bool = True) -> str | None:
    """The first damaged part of the index found by quick checks (after a failure)."""
    parts: list[tuple[str, Path]] = [("records.sqlite", index_dir / "records.sqlite")]
    parts += [(f"keyword table lexical/{p.name}", p) for p in sorted((index_dir / "lexical").glob("*.sqlite"))]
    parts.append(("fetched.sqlite", index_dir / "fetched.sqlite"))
    chroma_db = index_dir / "chroma" / CHROMA_DB
    if chroma and chroma_db.exists():
        parts.insert(0, (f"chroma/{CHROMA_DB}", chroma_db))
    for name, path in parts:
        if problem := sqlite_problem(path):
            return f"{name}: {problem}"
    if chroma and chroma_db.exists():
        try:
            segments = _catalogue(index_dir / "chroma")
        except sqlite3.DatabaseError as exc:
            return f"chroma/{CHROMA_DB}: {one_line(exc)}"
        for segment in segments:
            if problem := hnsw_problem(segment):
                return f"vector files of {segment.collection}: {problem}"
    return None


@contextmanager
def guard(index_dir: Path, embedded: bool = True) -> Iterator[None]:
    """SQLite, SQLAlchemy and OS errors inside the block as one-line errors, when they
    come from a full disk or a damaged file."""
    try:
        yield
    except UserError:
        raise
    except Exception as exc:
        storage = isinstance(exc, (sqlite3.DatabaseError, OSError)) or type(exc).__module__.startswith("sqlalchemy")
        if not storage or (error := explain(exc, index_dir, embedded)) is None:
            raise
        raise error from exc


def lexical_error(exc: sqlite3.DatabaseError, path: Path) -> UserError | None:
    """A keyword table's SQLite error as one line: full disk, or damage."""
    index_dir = path.parent.parent
    if _is_full(exc):
        return no_space(index_dir)
    if "locked" in str(exc) or "readonly" in str(exc):
        return None
    return _damaged(index_dir, f"keyword table lexical/{path.name}: {one_line(exc)}")


# ---------------------------------------------------------------- setting damaged files aside

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
                segments = _catalogue(index_dir / "chroma")
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


# ---------------------------------------------------------------- assistant index --check

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
    from .chroma import Store, all_ids, chroma_lock
    from .lexical import lexical_path
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
            segments = [s for s in _catalogue(index_dir / "chroma") if s.collection == collection.name]
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

