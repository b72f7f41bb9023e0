"""Embedding providers. Each one is a LangChain `Embeddings` with a `name` and a `dimension`,
which the index records so that vectors of two models never mix."""

from __future__ import annotations

from typing import Callable, Protocol

from ...errors import UserError


class IndexEmbeddings(Protocol):
    """What the index needs of a provider: LangChain's `Embeddings` methods, and the model's
    name and vector size, which the index records."""

    on_progress: Callable[[int], None] | None

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def get_embeddings(spec: str) -> IndexEmbeddings:
    kind, _, arg = spec.partition(":")
    if kind == "minilm":
        from .minilm import MiniLMEmbeddings

        return MiniLMEmbeddings()
    if kind == "openai" and arg:
        from .openai import openai_embeddings

        return openai_embeddings(arg)
    raise UserError(f"unknown embeddings {spec!r}: use 'minilm' or 'openai:MODEL'")
