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
- `assistant index --check` (check.py): the full checks, and damaged files set aside
  before a rebuild. Room to write: space.py.
"""

from __future__ import annotations

import sqlite3
import struct
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import IndexDamagedError, UserError, one_line
from .space import free_bytes, is_full, no_space

CHROMA_DB = "chroma.sqlite3"
# The tables Chroma reads when it opens and lists collections (page damage in
# `migrations` made it panic in tests); `PRAGMA quick_check(TABLE)` checks one table and its indexes.
CATALOGUE = ("sqlite_schema", "migrations", "tenants", "databases", "collections", "collection_metadata",
             "segments", "segment_metadata", "max_seq_id", "embeddings_queue_config")
HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin", "index_metadata.pickle")
_HEADER = struct.Struct("<iQQQQQQiIQQQdQ")  # hnswlib's persisted header (chroma-core/hnswlib, version 1)
_SQLITE_CORRUPT = ("malformed", "not a database", "code: 11)", "code: 26)")


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
        if is_full(exc) or "locked" in str(exc) or "readonly" in str(exc) or "unable to open" in str(exc):
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


def vector_segments(chroma_dir: Path) -> list[VectorSegment]:
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
        segments = [s for s in vector_segments(index_dir / "chroma") if s.collection == collection_name]
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


# ---------------------------------------------------------------- explaining failures

def explain(exc: BaseException, index_dir: Path, embedded: bool = True) -> UserError | None:
    """The one-line error behind a failed storage call, or None to let it through."""
    if isinstance(exc, UserError):
        return exc
    if is_full(exc) or (embedded and free_bytes(index_dir) < 2**20 and not isinstance(exc, (KeyboardInterrupt, SystemExit))):
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
            segments = vector_segments(index_dir / "chroma")
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
    if is_full(exc):
        return no_space(index_dir)
    if "locked" in str(exc) or "readonly" in str(exc):
        return None
    return _damaged(index_dir, f"keyword table lexical/{path.name}: {one_line(exc)}")
