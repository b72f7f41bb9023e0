"""Which files under a corpus path are articles, and their bytes as text.

A folder that cannot be listed or a link to nothing is reported as unreadable, so that
nothing indexed from it counts as deleted.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Iterator

from ..errors import UserError
from .problems import Problems

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}  # an .xml file that is not a feed is warned about
PDF_SUFFIXES = {".pdf"}
SUPPORTED = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | FEED_SUFFIXES | PDF_SUFFIXES

# One article larger than this is almost certainly a dump, not an article; it would
# take hours to embed and drown every other source in search results.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024
# A PDF's images and fonts weigh more than its text: a 30-page report with photos is not a dump.
MAX_PDF_BYTES = 50 * 1024 * 1024
MiB = 1024 * 1024

# What an index folder (`--index-dir`) holds: one inside a corpus is skipped, not read as articles.
_INDEX_MARKS = ("records.sqlite", "chroma", "lexical", "index.lock", "fetched.sqlite")


def is_index_dir(folder: Path) -> bool:
    return sum((folder / mark).exists() for mark in _INDEX_MARKS) >= 2


def size_text(size: int, limit: int, per: str = "") -> str:
    """'too large (…)' that is right at the boundary: bytes when rounding would hide the difference."""
    shown, cap = f"{size / MiB:.0f} MiB", f"{limit / MiB:.0f} MiB"
    if shown == cap:
        shown, cap = f"{size:,} bytes", f"{cap} = {limit:,} bytes"
    return f"too large ({shown}; the limit is {cap}{per})"


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
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not is_index_dir(Path(folder, d)))
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


def read_bytes(path: Path, name: str, warn: Problems, limit: int = MAX_ARTICLE_BYTES) -> bytes | None:
    """The file's bytes, or None (with a warning) when it is too large, empty or unreadable."""
    try:
        size = path.stat().st_size
        if size > limit:
            warn(name, size_text(size, limit, " per article" if limit == MAX_ARTICLE_BYTES else " per PDF"))
            return None
        raw = path.read_bytes()
    except OSError as exc:
        warn.cannot_read(name, exc)
        return None
    if not raw.strip():
        warn(name, "empty file")
        return None
    return raw


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode(raw: bytes, name: str, warn: Problems) -> str | None:
    """Text from a file's bytes: by its byte-order mark, as UTF-8, or in the encoding
    charset-normalizer finds (Latin-1, cp1252...); None, with a warning, for binary files."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:8192]:
        warn(name, "binary file")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    # UTF-8 with a few stray bytes has more good multi-byte characters than bad ones;
    # a file in a one-byte encoding has (almost) none.
    if sum(ord(c) > 127 for c in text) - bad > bad and bad <= max(3, len(text) // 100):
        warn(name, "invalid UTF-8 bytes were replaced (file kept)")
        return text
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw[:1 << 20]))  # the first MiB tells; reading 10 takes seconds
    if not matches or matches[0].encoding.startswith("utf"):
        warn(name, "not text (neither UTF-8 nor another encoding fits)")
        return None
    # Short Western texts fit cp1250 as well as cp1252 ("crème" or "crčme"): among equally
    # good fits, cp1252, the usual one of English and Western European news (and of "latin-1" pages).
    best = matches[0]
    tied = [m.could_be_from_charset for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    encoding = "cp1252" if any("cp1252" in names for names in tied) else best.encoding
    warn(name, f"not UTF-8: read as {encoding} (detected)")
    return raw.decode(encoding, errors="replace")


def refuse_overlaps(roots: list[str], known: list[str]) -> None:
    """A corpus path inside another one (or holding one) would index its articles twice,
    under two names: refuse before anything changes. Recorded paths are not compared with
    each other, so an index made before this check still re-syncs."""
    def inside(a: Path, b: Path) -> bool:  # ... and not in a hidden folder, which b's walk skips
        return b in a.parents and not any(part.startswith(".") for part in a.relative_to(b).parts)

    for i, new in enumerate(roots):
        if new in known:
            continue
        for other in known + roots[:i] + roots[i + 1:]:
            is_inner = inside(Path(new), Path(other))
            if not (is_inner or inside(Path(other), Path(new))):
                continue
            if other not in known:
                hint = "give only the outer one"
            elif is_inner:
                hint = "run `assistant index` to re-sync everything"
            else:
                hint = f"to index all of it, rebuild from it: assistant index --rebuild {new}"
            raise UserError(f"corpus path {new} {'is inside' if is_inner else 'holds'} {other}, which is indexed too: "
                            f"its articles would be indexed twice; {hint}")
