"""A deterministic chat model for tests: replies by rule, streams word by word, and
remembers every prompt it was given (so tests can assert it was *not* called)."""

from __future__ import annotations

from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


class RuleChatModel(BaseChatModel):
    """`rules` maps a substring of the prompt to the reply; the first match wins."""

    rules: list[tuple[str, str]]
    default: str = "The indexed articles don't say."
    prompts: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "rules"

    def _reply(self, messages: list[BaseMessage]) -> str:
        prompt = "\n".join(str(m.content) for m in messages)
        self.prompts.append(prompt)
        for trigger, reply in self.rules:
            if trigger in prompt:
                return reply
        return self.default

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._reply(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        reply = self._reply(messages)
        for i, word in enumerate(reply.split(" ")):
            yield ChatGenerationChunk(message=AIMessageChunk(content=("" if i == 0 else " ") + word))


class HashEmbeddings(Embeddings):
    """A deterministic embedding function for tests that need vectors but not meaning:
    each word is hashed into one of `dimension` buckets, and the counts are normalised.
    Texts sharing words are close, so keyword-like retrieval still behaves; it loads
    nothing and takes microseconds. The system tests keep the real MiniLM."""

    name = "test/hash-words"
    dimension = 64

    def __init__(self) -> None:
        self.on_progress = None
        self.calls = 0

    def _vector(self, text: str) -> list[float]:
        import hashlib
        import math
        import re

        counts = [0.0] * self.dimension
        for word in re.findall(r"\w+", text.lower()):
            counts[int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big") % self.dimension] += 1.0
        norm = math.sqrt(sum(c * c for c in counts)) or 1.0
        return [c / norm for c in counts]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        if self.on_progress:
            self.on_progress(len(texts))
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)
