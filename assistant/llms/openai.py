"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama...) through
LangChain's own integration. OPENAI_BASE_URL and OPENAI_API_KEY say where and who."""

from __future__ import annotations

import os

from ..errors import UserError

MAX_TOKENS = 320


def timeout_seconds() -> float:
    value = os.environ.get("ASSISTANT_LLM_TIMEOUT", "120")
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise UserError(f"ASSISTANT_LLM_TIMEOUT must be a positive number of seconds, not {value!r}")
    return seconds


def chat_openai(model: str, base_url: str | None, api_key: str):
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key,
        temperature=0,
        max_tokens=MAX_TOKENS,
        timeout=timeout_seconds(),
        max_retries=1,
    )


def endpoint() -> tuple[str | None, str]:
    """(base URL, API key) from OPENAI_BASE_URL and OPENAI_API_KEY."""
    base_url = os.environ.get("OPENAI_BASE_URL") or None
    api_key = os.environ.get("OPENAI_API_KEY")
    if not api_key and not base_url:
        raise UserError("openai: set OPENAI_API_KEY, and OPENAI_BASE_URL for an endpoint other than OpenAI's")
    # Local servers often need no key, but the client insists on one.
    return base_url, api_key or "unused"


def openai_chat_model(model: str):
    return chat_openai(model, *endpoint())
