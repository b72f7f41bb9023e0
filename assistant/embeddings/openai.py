"""Embeddings from any OpenAI-compatible `/v1/embeddings` endpoint (`--embeddings openai:MODEL`).

The index records `openai:MODEL` and the vector size, so a later run with another model
is refused instead of mixing vectors.
"""

from __future__ import annotations

import functools
import os

from langchain_core.embeddings import Embeddings

from ..errors import BackendError, UserError


class OpenAIEmbeddings(Embeddings):
    def __init__(self, model: str) -> None:
        from langchain_openai import OpenAIEmbeddings as Client

        from ..llms.openai import timeout_seconds

        base_url = os.environ.get("OPENAI_BASE_URL") or None
        api_key = os.environ.get("OPENAI_API_KEY") or ("not-needed" if base_url else None)
        if not api_key:
            raise UserError("openai embeddings: set OPENAI_API_KEY, and OPENAI_BASE_URL for an endpoint other than OpenAI's")
        self.name = f"openai:{model}"
        # check_embedding_ctx_length=False: no tiktoken download, texts go as they are.
        self.client = Client(model=model, base_url=base_url, api_key=api_key, check_embedding_ctx_length=False,
                             timeout=timeout_seconds(), max_retries=1)

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
            raise BackendError(f"embeddings endpoint failed: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from exc


def openai_embeddings(model: str) -> OpenAIEmbeddings:
    return OpenAIEmbeddings(model)
