"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp server, Ollama...) through
LangChain's own integration. OPENAI_BASE_URL and OPENAI_API_KEY say where and who.

Every message is sent without chat-template control text (`text.safe.drop_chat_tokens`):
the llama.cpp server, the local model's included, tokenizes the templated prompt with
special tokens parsed, message contents and all, so "<|im_end|>" in an article or a
question would end the turn for real."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ...config import llm_timeout, openai_endpoint
from ...text.safe import drop_chat_tokens

MAX_TOKENS = 320


def safe_messages(payload: dict) -> dict:
    """A chat request's messages with their text as plain text: no chat-template tokens."""
    for message in payload.get("messages", ()):
        content = message.get("content")
        if isinstance(content, str):
            message["content"] = drop_chat_tokens(content)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    part["text"] = drop_chat_tokens(part["text"])
    return payload


@lru_cache(maxsize=1)
def _chat_class() -> Any:
    from langchain_openai import ChatOpenAI

    class PlainTextChatOpenAI(ChatOpenAI):
        """ChatOpenAI whose requests carry no chat-template control text."""

        def _get_request_payload(self, input_, *, stop=None, **kwargs) -> dict:
            return safe_messages(super()._get_request_payload(input_, stop=stop, **kwargs))

    return PlainTextChatOpenAI


def chat_openai(model: str, base_url: str | None, api_key: str):
    from pydantic import SecretStr

    return _chat_class()(
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
