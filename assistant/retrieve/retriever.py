"""Find the passages for a question: dense (Chroma), lexical (FTS5 BM25), or both fused
(fusion.py), optionally re-scored by a stronger encoder (rescore.py)."""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import replace
from datetime import date
from typing import Any

from ..config import Settings
from ..errors import NoSpaceError
from ..store.chroma import Store, check_embeddings, to_passage
from ..store.lexical import LexicalIndex, lexical_path
from ..types import DateRange, Passage
from .fusion import RECENCY_HALF_LIFE, RECENCY_WEIGHT, boost, rrf
from .rescore import TOP_RESCORED

MODES = ("dense", "lexical", "hybrid")
CANDIDATES = 40


class Retriever:
    def __init__(self, settings: Settings, embeddings=None) -> None:
        from ..providers.embeddings import get_embeddings

        self.settings = settings
        self.store = Store(settings)
        self.collection, self.info = self.store.require_active()
        self.embeddings = embeddings or get_embeddings(settings.embeddings)
        check_embeddings(self.info, self.embeddings.name, self.embeddings.dimension)
        self._lexical: LexicalIndex | None = None
        self._rescorer: Any = None  # rescore.Rescorer, loaded on first use
        self.recency_weight = RECENCY_WEIGHT
        self.recency_half_life = RECENCY_HALF_LIFE

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None:
            self._lexical = LexicalIndex(lexical_path(self.settings, self.collection.name))
            try:
                self._lexical.sync(self.collection, self.info.revision)
            except NoSpaceError as exc:
                # The keyword table could not be brought up to date: search it as it is
                # (ids no longer indexed are skipped) rather than not at all.
                print(f"warning: {exc.where}: no space left to refresh the keyword table; keyword matches may miss "
                      "the latest articles", file=sys.stderr)
        return self._lexical

    def _mpnet(self):
        if self._rescorer is None:
            from .rescore import Rescorer, VectorCache, cache_path

            try:
                cache = VectorCache(cache_path(self.settings.index_dir))
            except (OSError, sqlite3.Error):  # a read-only index: re-score without the cache
                cache = None
            self._rescorer = Rescorer(cache)
        return self._rescorer

    def search(self, query: str, k: int = 5, mode: str | None = None, dates: DateRange = DateRange(),
               as_of: date | None = None, candidates: int = CANDIDATES, rescore: bool | None = None) -> list[Passage]:
        """The k best passages: dense and keyword rankings fused, then small boosts for
        passages that contain the question's numbers and, with `as_of`, for articles
        published shortly before that day (later and undated ones are not excluded)."""
        mode = mode or self.settings.retrieval
        rankings: dict[str, list[str]] = {}
        found: dict[str, Passage] = {}
        days: dict[str, int | None] = {}
        texts: dict[str, str] = {}
        vector = self.embeddings.embed_query(query) if mode in ("dense", "hybrid") else None
        if vector is not None:
            rankings["dense"] = self._dense(vector, candidates, dates, found)
            for id_ in rankings["dense"]:
                days[id_] = found[id_].day
                texts[id_] = f"{found[id_].title} {found[id_].text}"
        if mode in ("lexical", "hybrid"):
            hits = self.lexical.search(query, candidates, *dates.bounds())
            for hit in hits:
                days.setdefault(hit.id, hit.day)
                texts.setdefault(hit.id, hit.text)
            rankings["lexical"] = [hit.id for hit in hits]
        fused = rrf(rankings)
        boost(fused, query, texts, days, as_of, self.recency_weight, self.recency_half_life)
        if rescore is None:
            rescore = self.settings.rescore == "mpnet"
        rescorer = self._mpnet() if rescore else None
        depth = max(k, TOP_RESCORED) if rescorer is not None else k
        ordered = sorted(fused, key=lambda id_: fused[id_], reverse=True)[:max(depth, 0)]
        self._fetch([id_ for id_ in ordered if id_ not in found], found, vector)
        results = []
        for id_ in ordered:
            if id_ not in found:  # deleted between the lexical and the Chroma read
                continue
            ranks = {name: ids.index(id_) + 1 for name, ids in rankings.items() if id_ in ids}
            results.append(replace(found[id_], score=round(fused[id_], 6), ranks=ranks))
        if rescorer is not None:
            results = rescorer.rescore(query, results)
        return results[:max(k, 0)]

    def undated_sources(self) -> int:
        return self.lexical.undated_sources()

    def get(self, ids) -> list[Passage]:
        """Passages by chunk id, in the order asked; ids no longer indexed are skipped."""
        found: dict[str, Passage] = {}
        self._fetch(list(dict.fromkeys(ids)), found, None)
        return [found[id_] for id_ in dict.fromkeys(ids) if id_ in found]

    def more_of(self, passages: list[Passage], name: str, question: str, limit: int = 2) -> list[Passage]:
        """Other chunks of the articles of `passages` that name `name`, those sharing most of
        the question's words first: what a speaker asked about says in an article retrieval
        found, when that part of it was not retrieved."""
        known = {p.id for p in passages}
        sources = list(dict.fromkeys(p.source for p in passages))
        ids = self.lexical.search_in(name, question, sources, limit + len(known))
        return self.get([i for i in ids if i not in known][:limit])

    def missing_sources(self, sources) -> list[str]:
        """Those of `sources` that no indexed chunk comes from."""
        wanted, present = sorted(set(sources)), set[str]()
        for start in range(0, len(wanted), 500):
            batch = wanted[start:start + 500]
            metadatas = self.collection.get(where={"source": {"$in": batch}}, include=["metadatas"])["metadatas"]
            present.update(m.get("source") for m in metadatas)
        return [source for source in wanted if source not in present]

    def _dense(self, vector: list[float], n: int, dates: DateRange, found: dict[str, Passage]) -> list[str]:
        if self.collection.count() == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=n, where=dates.where(),
            include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        for id_, document, meta, distance in zip(ids, result["documents"][0], result["metadatas"][0], result["distances"][0]):
            found[id_] = replace(to_passage(id_, document, meta), similarity=round(1.0 - distance, 4))
        return ids

    def _fetch(self, ids: list[str], found: dict[str, Passage], vector: list[float] | None) -> None:
        """Passages found only by keywords; with their similarity when there is a query vector."""
        if not ids:
            return
        include = ["documents", "metadatas"] + (["embeddings"] if vector is not None else [])
        result = self.collection.get(ids=ids, include=include)
        embeddings = result.get("embeddings") if vector is not None else None
        for i, (id_, document, meta) in enumerate(zip(result["ids"], result["documents"], result["metadatas"])):
            passage = to_passage(id_, document, meta)
            if vector is not None and embeddings is not None:
                passage = replace(passage, similarity=round(float(sum(a * b for a, b in zip(vector, embeddings[i]))), 4))
            found[id_] = passage
