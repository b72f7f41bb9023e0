"""Find the passages for a question: dense (Chroma), lexical (FTS5 BM25), or both fused."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field, replace
from datetime import date

from .chunking import chunk_body
from .config import Settings
from .store import Store, check_embeddings, lexical_path
from .text import words

MODES = ("dense", "lexical", "hybrid")
RRF_K = 60
CANDIDATES = 40
# With a reference date, a passage published that day earns up to this many extra
# rank-one votes, halving every RECENCY_HALF_LIFE days of age.
RECENCY_WEIGHT = 1.0
RECENCY_HALF_LIFE = 14.0
# A passage holding every number of the question ("2018") earns half a rank-one vote.
NUMBER_WEIGHT = 0.5
# With --rescore, this many fused candidates are re-read by the stronger model.
TOP_RESCORED = 20


@dataclass(frozen=True)
class DateRange:
    since: date | None = None
    until: date | None = None

    def where(self) -> dict | None:
        clauses = []
        if self.since:
            clauses.append({"day": {"$gte": self.since.toordinal()}})
        if self.until:
            clauses.append({"day": {"$lte": self.until.toordinal()}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def bounds(self) -> tuple[int | None, int | None]:
        return (self.since.toordinal() if self.since else None, self.until.toordinal() if self.until else None)


@dataclass(frozen=True)
class Passage:
    id: str
    source: str
    title: str
    published: str
    url: str
    text: str
    chunk: int
    start: int = 0  # where the text begins in its article
    day: int | None = None  # publication day number (see chunking.day_number)
    score: float = 0.0
    similarity: float | None = None  # cosine similarity to the question, when known
    ranks: dict = field(default_factory=dict, compare=False)
    root: str = ""  # the corpus path it was indexed from: sources are only unique within one


def to_passage(id_: str, document: str, meta: dict) -> Passage:
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
    )


def rrf(rankings: dict[str, list[str]], k: int = RRF_K, weights: dict[str, float] | None = None) -> dict[str, float]:
    """Reciprocal-rank fusion: sum of weight / (k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = (weights or {}).get(name, 1.0)
        for rank, id_ in enumerate(ids, start=1):
            scores[id_] = scores.get(id_, 0.0) + weight / (k + rank)
    return scores


class Retriever:
    def __init__(self, settings: Settings, embeddings=None) -> None:
        from .embeddings import get_embeddings

        self.settings = settings
        self.store = Store(settings)
        self.collection, self.info = self.store.require_active()
        self.embeddings = embeddings or get_embeddings(settings.embeddings)
        check_embeddings(self.info, self.embeddings.name, self.embeddings.dimension)
        self._lexical = None
        self._rescorer = None
        self.recency_weight = RECENCY_WEIGHT
        self.recency_half_life = RECENCY_HALF_LIFE

    @property
    def lexical(self):
        if self._lexical is None:
            from .lexical import LexicalIndex

            self._lexical = LexicalIndex(lexical_path(self.settings, self.collection.name))
            self._lexical.sync(self.collection, self.info.revision)
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
        numbers = {w for w in words(query) if w.isdigit()}
        for id_ in fused:
            if numbers and numbers <= set(words(texts[id_])):
                # "the 2018 Nobel Prize": the year tells near-identical articles apart.
                fused[id_] += NUMBER_WEIGHT / (RRF_K + 1)
            if as_of is not None and days.get(id_) is not None and days[id_] <= as_of.toordinal():
                age = as_of.toordinal() - days[id_]
                fused[id_] += self.recency_weight * 0.5 ** (age / self.recency_half_life) / (RRF_K + 1)
        if rescore is None:
            rescore = self.settings.rescore == "mpnet"
        rescorer = self._mpnet() if rescore else None
        depth = max(k, TOP_RESCORED) if rescorer is not None else k
        ordered = sorted(fused, key=fused.get, reverse=True)[:max(depth, 0)]
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

    def missing_sources(self, sources) -> list[str]:
        """Those of `sources` that no indexed chunk comes from."""
        wanted, present = sorted(set(sources)), set()
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
            if embeddings is not None:
                passage = replace(passage, similarity=round(float(sum(a * b for a, b in zip(vector, embeddings[i]))), 4))
            found[id_] = passage
