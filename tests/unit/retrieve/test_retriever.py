from datetime import date

from conftest import SEED_SOURCE

from assistant.config import Settings
from assistant.ingest.indexer import run_index
from assistant.retrieve.fusion import rrf
from assistant.retrieve.retriever import Retriever
from assistant.types import DateRange


def test_rrf_rewards_agreement():
    scores = rrf({"dense": ["a", "b", "c"], "lexical": ["c", "a"]})
    assert sorted(scores, key=scores.get, reverse=True) == ["a", "c", "b"]
    assert scores["a"] == 1 / 61 + 1 / 62


def test_hybrid_finds_the_claims_passage(seed_index, embeddings):
    retriever = Retriever(seed_index, embeddings)
    results = retriever.search("Who claimed the Ahvaz attack?", k=3)
    assert results and all(p.source == SEED_SOURCE for p in results)
    assert any("Ahwaz National Resistance" in p.text for p in results)
    assert all(p.ranks for p in results) and all(p.similarity is not None for p in results)


def test_lexical_alone_matches_exact_names(seed_index, embeddings):
    results = Retriever(seed_index, embeddings).search("Muhajir", k=2, mode="lexical")
    assert "Abu Hassan al-Muhajir" in results[0].text
    assert results[0].ranks == {"lexical": 1}


def test_date_filters_are_honoured(tmp_path, corpus, embeddings):
    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    retriever = Retriever(settings, embeddings)
    assert {p.source for p in retriever.search("storm coast", k=10)} >= {"storm.md"}
    # storm.md is the only dated article (2022-06-14); undated ones never pass a date filter.
    inside = retriever.search("storm coast", k=10, dates=DateRange(since=date(2022, 6, 1), until=date(2022, 6, 30)))
    assert {p.source for p in inside} == {"storm.md"}
    for mode in ("dense", "lexical", "hybrid"):
        assert retriever.search("storm coast", k=10, mode=mode, dates=DateRange(since=date(2022, 6, 15))) == []
        assert retriever.search("storm coast", k=10, mode=mode, dates=DateRange(until=date(2022, 6, 13))) == []


def test_keyword_ties_rank_the_same_whatever_the_insertion_order(tmp_path):
    from assistant.store.lexical import LexicalIndex

    # Near-duplicate snippets (common in web news) score alike; their order must not
    # depend on the order the index happened to store them in.
    rows = [("Wimbledon", "Andy Murray won Wimbledon in 2013.", f"chunk-{c}", f"s{c}", None) for c in "dbca"]
    found = []
    for name, order in (("one", rows), ("two", rows[::-1])):
        index = LexicalIndex(tmp_path / f"{name}.sqlite")
        with index.db:
            index.db.executemany("INSERT INTO chunks (title, body, id, source, day) VALUES (?, ?, ?, ?, ?)", order)
        found.append([hit.id for hit in index.search("Who won Wimbledon in 2013?", limit=3)])
        index.close()
    assert found[0] == found[1] == ["chunk-a", "chunk-b", "chunk-c"]


def test_more_of_the_retrieved_articles_naming_a_speaker(seed_index, embeddings):
    retriever = Retriever(seed_index, embeddings)
    top = retriever.search("Who claimed the Ahvaz attack?", k=1)
    assert "Pompeo" not in top[0].text
    more = retriever.more_of(top, "pompeo", "What did Pompeo say about Zarif?")
    assert more and all("Pompeo" in p.text and p.source == SEED_SOURCE and p.id != top[0].id for p in more)
    assert retriever.more_of(top, "nobody-named-this", "What did they say?") == []
