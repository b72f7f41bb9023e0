"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama...) through
LangChain's own integration. OPENAI_BASE_URL and OPENAI_API_KEY say where and who."""

from __future__ import annotations

from ...config import llm_timeout, openai_endpoint

MAX_TOKENS = 320


def chat_openai(model: str, base_url: str | None, api_key: str):
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=SecretStr(api_key),
        temperature=0,
        max_completion_tokens=MAX_TOKENS,  # what max_tokens becomes in the request
        timeout=llm_timeout(),
        max_retries=1,
    )


def openai_chat_model(model: str):
    return chat_openai(model, *openai_endpoint("openai"))
