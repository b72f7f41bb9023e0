"""Chat models behind one spec string: `local`, `local:0.5b`, `local:/path/model.gguf`,
`openai:MODEL` (any OpenAI-compatible endpoint) or `none` (retrieval only)."""

from __future__ import annotations

from typing import Callable

from ..errors import UserError

SPECS = "local, local:1.5b, local:0.5b, local:/path/model.gguf, openai:MODEL or none"


def check_spec(spec: str) -> tuple[str, str]:
    kind, _, arg = spec.partition(":")
    if (kind == "none" and not arg) or kind == "local" or (kind == "openai" and arg):
        return kind, arg
    raise UserError(f"unknown --llm {spec!r}: use {SPECS}")


def get_chat_model(spec: str, on_progress: Callable[[int, int], None] | None = None):
    """A LangChain chat model, or None for retrieval-only answers."""
    kind, arg = check_spec(spec)
    if kind == "none":
        return None
    if kind == "local":
        from .local import local_chat_model

        return local_chat_model(arg, on_progress)
    from .openai import openai_chat_model

    return openai_chat_model(arg)
