"""Which files under a corpus path are articles, and their bytes as text.

A folder that cannot be listed or a link to nothing is reported as unreadable, so that
nothing indexed from it counts as deleted.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Iterator

from .problems import Problems

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

# One article larger than this is almost certainly a dump, not an article; it would
# take hours to embed and drown every other source in search results.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024


def _walk(root: Path, problems: Problems | None = None) -> list[Path]:
    """Every file under `root` outside hidden folders, sorted. A folder that cannot be
    listed, or a link whose target is gone (an unmounted disk), is reported as unreadable,
    so nothing indexed from it counts as deleted. Links are followed after the real files
    and folders, each real one once: an article keeps its real path's name when a link to
    it (or its folder) is added, and a link loop ends."""

    def cannot_read(path: Path, exc: OSError) -> None:
        if problems is not None:
            problems.cannot_read(path.relative_to(root).as_posix() if path != root else str(root), exc)

    found: dict[str, Path] = {}  # by real path: a file linked into the corpus is read once
    linked_files: list[Path] = []
    visited, links = set(), [root]
    while links:
        for folder, dirs, files in os.walk(links.pop(0), onerror=lambda exc: cannot_read(Path(exc.filename), exc)):
            real = os.path.realpath(folder)
            if real in visited:
                dirs[:] = []
                continue
            visited.add(real)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            links += [Path(folder, d) for d in dirs if os.path.islink(Path(folder, d))]
            for name in files:
                path = Path(folder, name)
                if name.startswith("."):
                    continue
                if path.is_symlink():
                    if path.is_file():
                        linked_files.append(path)
                    elif not path.exists() and path.suffix.lower() in SUPPORTED | {""}:  # an article or a folder
                        cannot_read(path, FileNotFoundError(errno.ENOENT, "a link to nothing"))
                elif path.is_file():
                    found[os.path.join(real, name)] = path
    for path in sorted(linked_files):  # after the real files, so these keep their own names
        found.setdefault(os.path.realpath(path), path)
    return sorted(found.values())


def iter_files(root: Path, problems: Problems | None = None) -> Iterator[tuple[Path, str]]:
    """(path, source name) for every supported file under `root`, in a stable order."""
    if root.is_file():
        if root.suffix.lower() in SUPPORTED:
            yield root, root.name
        return
    for path in _walk(root, problems):
        if path.suffix.lower() in SUPPORTED:
            yield path, path.relative_to(root).as_posix()


def count_articles(root: Path) -> int:
    """Cheap upper bound for progress bars: files, plus lines of JSONL files."""
    total = 0
    for path, _ in iter_files(root):
        if path.suffix.lower() in JSONL_SUFFIXES:
            try:
                with path.open("rb") as handle:
                    total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
            except OSError:
                pass
        else:
            total += 1
    return total


def unsupported_files(root: Path) -> list[str]:
    if root.is_file():
        return [] if root.suffix.lower() in SUPPORTED else [root.name]
    return [p.relative_to(root).as_posix() for p in _walk(root) if p.suffix.lower() not in SUPPORTED]


def read_bytes(path: Path, name: str, warn: Problems) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            warn(name, f"too large ({size / 1e6:.0f} MB; the limit is {MAX_ARTICLE_BYTES / 1e6:.0f} MB per article)")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        warn.cannot_read(name, exc)
        return None
    if not raw.strip():
        warn(name, "empty file")
        return None
    if b"\x00" in raw[:8192]:
        warn(name, "binary file")
        return None
    return raw


def decode(raw: bytes, name: str, warn: Problems) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
    # A few stray bytes in a real article are worth keeping; many mean it is not text.
    if text.count("\ufffd") > max(3, len(text) // 100):
        warn(name, "not UTF-8 text")
        return None
    warn(name, "invalid UTF-8 bytes were replaced (file kept)")
    return text
