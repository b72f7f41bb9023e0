"""Where chunks live: a Chroma collection, embedded under the index dir or on a Chroma server.

The collection's metadata is the index's own description (embedding model, dimension,
corpus roots, revision). A rebuild writes a new collection marked incomplete and flips
it to complete only when done, so readers always find a whole index: the newest
complete collection named `news-*`.

Embedded Chroma is single-process: every process that opens a collection loads, and for
a small index re-creates, the HNSW files on disk, so an `index` run and a `search` at the
same moment could read each other's half-written files. Every call on the embedded client
and its collections therefore runs under one lock file per index dir (`Serialized`).

Damage and a full disk are caught here too (`health.py`, `space.py`): the catalogue is probed before
Chroma opens, the active collection's HNSW files before it loads them, writes check for
room first, and a failed call is explained in one line. The corpus roots are also kept
in `roots.json` beside the databases (`roots.py`), for a rebuild when Chroma's file is lost.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

from ..config import Settings
from ..errors import BackendError, IndexDamagedError, IndexMismatchError, NoIndexError, Terminated, UserError, one_line
from ..ingest.chunking import chunk_body
from ..types import Passage
from . import health
from .locks import Serialized, chroma_lock
from .roots import Recorded, read_roots, store_name, write_roots

PREFIX = "news-"
_SEGMENT_FOLDER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FORMAT = 1
PAGE = 5000

# Chroma's product telemetry would try to reach the internet.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@dataclass(frozen=True)
class IndexInfo:
    """What an index says about itself (stored as collection metadata)."""

    embeddings: str
    dimension: int
    roots: tuple[str, ...] = ()
    revision: str = ""
    complete: bool = True
    created: float = 0.0

    def as_metadata(self) -> dict:
        return {
            "format": FORMAT,
            "embeddings": self.embeddings,
            "dimension": self.dimension,
            "roots": json.dumps(list(self.roots)),
            "revision": self.revision,
            "complete": self.complete,
            "created": self.created,
        }

    @classmethod
    def from_metadata(cls, metadata: dict | None) -> "IndexInfo | None":
        metadata = metadata or {}
        if metadata.get("format") != FORMAT:
            return None
        return cls(
            embeddings=str(metadata.get("embeddings", "")),
            dimension=int(metadata.get("dimension", 0)),
            roots=tuple(json.loads(metadata.get("roots") or "[]")),
            revision=str(metadata.get("revision", "")),
            complete=bool(metadata.get("complete", False)),
            created=float(metadata.get("created", 0.0)),
        )


def server_address(url: str) -> tuple[str, int, bool]:
    parsed = urlparse(url if "://" in url else f"http://{url}")
    try:
        port = parsed.port  # raises on "host:notaport" and ports over 65535
    except ValueError:
        port = -1
    if parsed.scheme not in ("http", "https") or not parsed.hostname or port in (-1, 0):
        raise UserError(f"bad Chroma URL {url!r}: expected http://HOST:PORT")
    return parsed.hostname, port if port is not None else (443 if parsed.scheme == "https" else 8000), parsed.scheme == "https"


class Store:
    def __init__(self, settings: Settings, writable: bool = False) -> None:
        self.settings = settings
        self.writable = writable  # readers must not leave empty index folders behind
        self._client: Any = None  # chromadb client, or `Serialized` around one
        self._probed: set[str] = set()  # collections whose HNSW files were checked

    def recorded(self) -> Recorded | None:
        """The roots file, if it describes an index in this store (embedded or this server)."""
        recorded = read_roots(self.settings.index_dir)
        return recorded if recorded and recorded.store == store_name(self.settings.chroma_url) else None

    def lost_index(self) -> str | None:
        """When no collection is found: what says an index was here all the same (so it
        was lost, not never made), or None."""
        if (recorded := self.recorded()) is not None:
            return f"roots.json records one built from {len(recorded.roots)} corpus path(s)"
        return health.traces_of_index(self.settings.index_dir, embedded=not self.settings.chroma_url)

    @property
    def where(self) -> str:
        return self.settings.chroma_url or str(self.settings.index_dir)

    @property
    def client(self):
        if self._client is None:
            import chromadb

            chroma_settings = chromadb.Settings(anonymized_telemetry=False)
            try:
                if self.settings.chroma_url:
                    host, port, ssl = server_address(self.settings.chroma_url)
                    self._client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
                    self._client.heartbeat()
                else:
                    index_dir = self.settings.index_dir
                    path = index_dir / "chroma"
                    recorded = self.recorded() is not None
                    if not self.writable and not path.exists():
                        if recorded or self.lost_index():
                            raise IndexDamagedError(index_dir, "its chroma/ folder is missing",
                                                    *([] if recorded else [UNKNOWN_ROOTS]))
                        raise NoIndexError(f"no index at {index_dir}: run `assistant index` first")
                    path.mkdir(parents=True, exist_ok=True)
                    lock = chroma_lock(index_dir)
                    with lock:
                        health.probe_catalogue(index_dir, expect_index=recorded, may_create=self.writable)
                        try:
                            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
                        except BaseException as exc:
                            if isinstance(exc, (KeyboardInterrupt, SystemExit, Terminated)):
                                raise
                            if (error := health.explain(exc, index_dir)) is None:
                                raise
                            raise error from exc
                    self._client = Serialized(client, lock, index_dir)
            except UserError:
                raise
            except Exception as exc:  # chromadb raises plain Exceptions for connection problems
                raise BackendError(f"cannot open the Chroma index at {self.where}: {one_line(exc)}") from exc
        return self._client

    def _collections(self) -> list[tuple[Any, IndexInfo]]:
        try:
            found = []
            for collection in self.client.list_collections():
                if collection.name.startswith(PREFIX):
                    info = IndexInfo.from_metadata(collection.metadata)
                    if info is not None:
                        found.append((collection, info))
            return sorted(found, key=lambda pair: pair[1].created)
        except UserError:
            raise
        except Exception as exc:
            raise BackendError(f"Chroma at {self.where} failed: {one_line(exc)}") from exc

    def active(self, check: bool = True):
        """(collection, info) of the newest complete index, or None. With `check`, its HNSW
        files are probed before anything can make Chroma load them (embedded store)."""
        complete = [pair for pair in self._collections() if pair[1].complete]
        if not complete:
            return None
        collection = complete[-1][0]
        if check and not self.settings.chroma_url and collection.name not in self._probed:
            with chroma_lock(self.settings.index_dir):
                health.probe_vectors(self.settings.index_dir, collection.name)
            self._probed.add(collection.name)
        return complete[-1]

    def require_active(self):
        found = self.active()
        if found is None:
            if (lost := self.lost_index()) is not None:
                where = "the Chroma server" if self.settings.chroma_url else f"chroma/{health.CHROMA_DB}"
                raise IndexDamagedError(self.settings.index_dir, f"{where} holds no index, although {lost}",
                                        *([] if self.recorded() else [UNKNOWN_ROOTS]))
            raise NoIndexError(f"no index at {self.where}: run `assistant index` first")
        return found

    def incomplete(self):
        return [collection for collection, info in self._collections() if not info.complete]

    def create(self, info: IndexInfo):
        name = f"{PREFIX}{int(time.time())}-{secrets.token_hex(3)}"
        info = IndexInfo(**{**info.__dict__, "created": time.time()})
        collection = self.client.create_collection(
            name, metadata=info.as_metadata(), configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        self._record(collection.name, info)
        return collection, info

    def update_info(self, collection, info: IndexInfo) -> None:
        collection.modify(metadata=info.as_metadata())
        self._record(collection.name, info)

    def _record(self, name: str, info: IndexInfo) -> None:
        """Keep roots.json in step with the roots of the index readers use (a --rebuild's
        new collection counts once it is complete)."""
        if info.complete:
            with health.guard(self.settings.index_dir, embedded=False):
                write_roots(self.settings.index_dir, Recorded(info.roots, store_name(self.settings.chroma_url),
                                                              info.embeddings, name))

    def drop(self, collection) -> None:
        folders = [] if self.settings.chroma_url else self._segment_folders(collection)
        self.client.delete_collection(collection.name)
        for folder in folders:
            # Chroma 1.x leaves a deleted collection's vector files on disk (chroma-core/chroma
            # #5259), so each --rebuild would leave one more copy behind.
            shutil.rmtree(folder, ignore_errors=True)

    def _segment_folders(self, collection) -> list[Path]:
        """The folders holding `collection`'s segments in the embedded store, from Chroma's
        own catalogue; none if it cannot be read (the files are then left alone)."""
        path = self.settings.index_dir.resolve() / "chroma"
        with chroma_lock(self.settings.index_dir):
            try:
                db = sqlite3.connect((path / "chroma.sqlite3").as_uri() + "?mode=ro", uri=True)
                try:
                    ids = [row[0] for row in db.execute("SELECT id FROM segments WHERE collection = ?", (str(collection.id),))]
                finally:
                    db.close()
            except sqlite3.Error:
                return []
        return [path / i for i in ids if _SEGMENT_FOLDER.fullmatch(i) and (path / i).is_dir()]


# The advice when an index made before roots.json lost its Chroma store: only the user
# knows what it was built from.
UNKNOWN_ROOTS = "rebuild it from its corpus paths: assistant index --rebuild PATH..."


def check_embeddings(info: IndexInfo, name: str, dimension: int) -> None:
    if info.embeddings != name or info.dimension != dimension:
        raise IndexMismatchError(
            f"this index was built with {info.embeddings} ({info.dimension}-d) but {name} "
            f"({dimension}-d) is configured: use the same --embeddings or run `assistant index --rebuild`"
        )


def pages(collection, include: list[str]) -> Iterator[dict]:
    """The whole collection, PAGE rows per `get`."""
    offset = 0
    while True:
        page = collection.get(include=include, limit=PAGE, offset=offset)
        yield page
        offset += len(page["ids"])
        if len(page["ids"]) < PAGE:
            return


def all_ids(collection) -> list[str]:
    return [id_ for page in pages(collection, []) for id_ in page["ids"]]


def to_passage(id_: str, document: str, meta: dict) -> Passage:
    """A stored chunk as a passage: its body without the title header, and its metadata."""
    title = meta.get("title", "")
    return Passage(
        id=id_,
        source=meta.get("source", ""),
        title=title,
        published=meta.get("published", ""),
        url=meta.get("url", ""),
        text=chunk_body(document, title),
        chunk=int(meta.get("chunk", 0)),
        start=int(meta.get("start", 0)),
        day=meta.get("day"),
        root=meta.get("root", ""),
        page=meta.get("page"),
        site=meta.get("site", ""),
        authors=tuple(name for name in meta.get("authors", "").split("; ") if name),
    )
