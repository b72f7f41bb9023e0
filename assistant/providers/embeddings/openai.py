"""Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (`--embeddings openai:MODEL`).

The index records `openai:MODEL` and the vector size, so a later run with another model
is refused instead of mixing vectors.
"""

from __future__ import annotations

import functools
from typing import Callable

from langchain_core.embeddings import Embeddings

from ...config import llm_timeout, openai_endpoint
from ...errors import BackendError, one_line


class OpenAIEmbeddings(Embeddings):
    def __init__(self, model: str) -> None:
        from langchain_openai import OpenAIEmbeddings as Client
        from pydantic import SecretStr

        base_url, api_key = openai_endpoint("openai embeddings")
        self.name = f"openai:{model}"
        self.on_progress: Callable[[int], None] | None = None  # the indexer's progress bar; not reported here
        # check_embedding_ctx_length=False: no tiktoken download, texts go as they are.
        self.client = Client(model=model, base_url=base_url, api_key=SecretStr(api_key), check_embedding_ctx_length=False,
                             timeout=llm_timeout(), max_retries=1)

    @functools.cached_property
    def dimension(self) -> int:
        return len(self.embed_query("dimension"))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._call(self.client.embed_documents, texts)

    def embed_query(self, text: str) -> list[float]:
        return self._call(self.client.embed_query, text)

    def _call(self, method, argument):
        try:
            return method(argument)
        except Exception as exc:  # the client raises many kinds; all mean the endpoint failed
            raise BackendError(f"embeddings endpoint failed: {type(exc).__name__}: {one_line(exc, 200)}") from exc


def openai_embeddings(model: str) -> OpenAIEmbeddings:
    return OpenAIEmbeddings(model)
