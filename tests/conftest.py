from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"
SEED_SOURCE = "000_d07ae83fdbaebff6.txt"
EVALDATA = PROJECT_ROOT.parent / "shared" / "evaldata"


@pytest.fixture(autouse=True)
def _private_dirs(monkeypatch, tmp_path):
    # Chat history and similar user state go to a temp dir; the model cache stays shared
    # so the assembled GGUF is reused across runs.
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    for name in ("ASSISTANT_INDEX_DIR", "ASSISTANT_CHROMA_URL", "ASSISTANT_LLM", "ASSISTANT_EMBEDDINGS",
                 "ASSISTANT_RETRIEVAL", "ASSISTANT_RESCORE", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def embeddings():
    from assistant.providers.embeddings.minilm import MiniLMEmbeddings

    return MiniLMEmbeddings()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embeddings) -> Settings:
    """An index of seeds/, built once per session. Tests must not modify it."""
    from assistant.ingest.indexer import run_index

    settings = Settings(index_dir=tmp_path_factory.mktemp("seed-index"))
    run_index(settings, [SEEDS], embeddings=embeddings)
    return settings


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of seeds/ plus two small articles."""
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    (folder / "budget.txt").write_text(
        "City council approves budget\n\nThe city council approved a $2 billion budget on Tuesday. "
        "The mayor said parks and libraries would get more money.\n"
    )
    (folder / "storm.md").write_text(
        "---\ntitle: Storm hits the coast\ndate: 2022-06-14\n---\n\nA storm with winds of 120 km/h hit the "
        "coast on Monday. Thousands of homes lost power.\n"
    )
    return folder
