"""`assistant eval --compare`: several retrieval configurations over one question set.

`baseline` is the plain LangChain pipeline the project started from: 1000/200 recursive
character chunks in `Chroma.from_documents` with the same MiniLM model, cosine distance,
no titles, dates or keywords. It is built once next to the index and reused.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from .metrics import EvalResult, Row
from .questions import Question
from .runner import DEPTH, distinct_sources


@dataclass(frozen=True)
class Config:
    mode: str = "hybrid"
    dates: bool = False  # use the question's asked_on as the reference date
    rescore: bool = False


CONFIGS = {
    "baseline": None,
    "dense": Config("dense"),
    "lexical": Config("lexical"),
    "hybrid": Config("hybrid"),
    "hybrid+dates": Config("hybrid", dates=True),
    "hybrid+dates+rescore": Config("hybrid", dates=True, rescore=True),
}
DEFAULT = "hybrid+dates"  # what `ask` and `chat` do when given a date


def parse(names: str) -> list[str]:
    chosen = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in CONFIGS]
    if unknown or not chosen:
        raise UserError(f"--compare takes a comma-separated list of {', '.join(CONFIGS)}; not {', '.join(unknown) or names!r}")
    return chosen


def retrieval_only(label: str, questions: list[Question], rank) -> EvalResult:
    rows = []
    for q in questions:
        started = time.monotonic()
        sources = rank(q)
        rows.append(Row(q, sources[:10], (time.monotonic() - started) * 1000))
    return EvalResult(rows, generated=False, label=label)


def run_config(name: str, retriever, questions: list[Question]) -> EvalResult:
    if name == "baseline":
        store = baseline_store(retriever)
        return retrieval_only(name, questions, lambda q: distinct_sources_of(store.similarity_search(q.question, k=DEPTH)))
    config = CONFIGS[name]
    assert config is not None
    return retrieval_only(name, questions, lambda q: distinct_sources(retriever.search(
        q.question, k=DEPTH, mode=config.mode, as_of=q.asked_on if config.dates else None, rescore=config.rescore)))


def distinct_sources_of(documents) -> list[str]:
    return list(dict.fromkeys(d.metadata["source"] for d in documents))


def baseline_store(retriever):
    """The plain pipeline's Chroma over the articles the index was built from."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ..ingest.problems import Problems
    from ..ingest.readers import read_articles

    roots = [Path(root) for root in retriever.info.roots]
    if not roots or not all(root.exists() for root in roots):
        raise UserError("the baseline needs the files the index was built from, and they are gone")
    folder = Path(retriever.settings.index_dir) / "baseline"
    stamp = folder / "built.json"
    key = {"roots": sorted(map(str, roots)), "revision": retriever.info.revision, "chunks": retriever.collection.count()}
    store = Chroma(collection_name="baseline", embedding_function=retriever.embeddings, persist_directory=str(folder),
                   collection_metadata={"hnsw:space": "cosine"})
    if stamp.exists() and json.loads(stamp.read_text()) == key:
        return store
    store.reset_collection()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    documents = [Document(a.text, metadata={"source": a.source}) for root in roots for a in read_articles(root, Problems())]
    chunks = splitter.split_documents(documents)
    for start in range(0, len(chunks), 1000):
        store.add_documents(chunks[start:start + 1000])
    stamp.write_text(json.dumps(key))
    return store
