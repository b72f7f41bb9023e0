"""What the index was built from, kept apart from its databases (`INDEX_DIR/roots.json`).

The collection's own metadata (`IndexInfo.roots`) says the same, but it lives inside
Chroma's SQLite file: when that file is damaged, this small file still tells
`assistant index --rebuild` which corpus paths and URLs to read again, and tells every
command that an index existed here (so a damaged one is never taken for "no index yet",
and seeds/ is never indexed in place of the user's corpus). It is replaced atomically
(a temporary file renamed over it), so a reader sees the old or the new version, whole.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE = "roots.json"


@dataclass(frozen=True)
class Recorded:
    roots: tuple[str, ...]
    store: str  # "embedded", or the Chroma server's URL
    embeddings: str = ""
    collection: str = ""


def store_name(chroma_url: str | None) -> str:
    return chroma_url or "embedded"


def write_roots(index_dir: Path, recorded: Recorded) -> None:
    path = index_dir / FILE
    data = {"format": 1, "roots": list(recorded.roots), "store": recorded.store,
            "embeddings": recorded.embeddings, "collection": recorded.collection}
    if read_roots(index_dir) == recorded:
        return  # unchanged: no write, no fsync
    partial = path.with_name(f".{FILE}.{os.getpid()}.part")
    try:
        with open(partial, "w", encoding="utf-8") as out:
            out.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def read_roots(index_dir: Path) -> Recorded | None:
    """The recorded roots, or None when there is no readable roots file."""
    try:
        data = json.loads((index_dir / FILE).read_text(encoding="utf-8"))
        roots = data["roots"]
        if not isinstance(roots, list) or not all(isinstance(r, str) and r for r in roots):
            return None
        return Recorded(tuple(roots), str(data.get("store", "embedded")), str(data.get("embeddings", "")),
                        str(data.get("collection", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
