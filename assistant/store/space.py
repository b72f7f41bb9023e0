"""Room to write the index: Chroma writes its HNSW files in place, and a write cut short
by a full disk leaves them damaged (seen: an empty `index_metadata.pickle`), whereas SQLite
rolls back cleanly; so writes that can make Chroma persist them (add, upsert, update,
delete) first check that the disk has room (`require_space`)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import NoSpaceError

# Room a write must leave: Chroma's SQLite log and compaction for one batch take about
# 1-3 MB (measured with batches of 128 chunks), and a compaction may rewrite the HNSW
# files whole; what is left over lets readers open the index after a run stopped for space.
SPACE_MARGIN = 8 * 2**20
_WRITES = frozenset({"add", "upsert", "update", "delete"})
_SQLITE_FULL = ("database or disk is full", "code: 13)", "no space left", "os error 28", "disk quota")


def is_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = f"{exc} {getattr(exc, 'orig', '')}".lower()
    return any(mark in text for mark in _SQLITE_FULL)


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
