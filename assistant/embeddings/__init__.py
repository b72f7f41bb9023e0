"""Embedding providers. Each one is a LangChain `Embeddings` with a `name` and a `dimension`,
which the index records so that vectors of two models never mix."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from ..errors import UserError


def get_embeddings(spec: str) -> Embeddings:
    kind, _, arg = spec.partition(":")
    if kind == "minilm":
        from .minilm import MiniLMEmbeddings

        return MiniLMEmbeddings()
    if kind == "openai" and arg:
        from .openai import openai_embeddings

        return openai_embeddings(arg)
    raise UserError(f"unknown embeddings {spec!r}: use 'minilm' or 'openai:MODEL'")
