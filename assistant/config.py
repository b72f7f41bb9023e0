"""Settings from CLI options and environment variables, with the defaults in one place."""

from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

from .errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "news-assistant"
# The longest question taken (search, ask, chat, eval files): the longest in the dev sets
# has 296 characters; a pasted article would only be cut by the embedding model (256
# tokens) after costing seconds to minutes of tokenising and keyword matching.
MAX_QUESTION = 2000


def _in_checkout() -> bool:
    return (PROJECT_ROOT / "pyproject.toml").exists()


def default_index_dir() -> Path:
    if _in_checkout():
        return PROJECT_ROOT / "index"
    return Path(platformdirs.user_data_dir(APP_NAME)) / "index"


def shipped(folder: str) -> Path:
    """A folder that ships with the program (`prompts`, `seeds`): the checkout's own at the
    top of the repository, or its copy inside the installed package (see pyproject.toml)."""
    if _in_checkout():
        return PROJECT_ROOT / folder
    return Path(str(importlib.resources.files("assistant"))) / folder


def default_corpus() -> Path:
    return shipped("seeds")


def cache_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def _env(name: str) -> str | None:
    """An environment variable; unset and empty are the same."""
    return os.environ.get(name) or None


def _env_or(name: str, default: str) -> str:
    return os.environ.get(name) or default


def openai_endpoint(what: str) -> tuple[str | None, str]:
    """(base URL, API key) of an OpenAI-compatible endpoint, from OPENAI_BASE_URL and
    OPENAI_API_KEY: the one place both the chat model and the embeddings read them."""
    base_url = _env("OPENAI_BASE_URL")
    api_key = _env("OPENAI_API_KEY")
    if not api_key and not base_url:
        raise UserError(f"{what}: set OPENAI_API_KEY, and OPENAI_BASE_URL for an endpoint other than OpenAI's")
    # Local servers often need no key, but the client insists on one.
    return base_url, api_key or "unused"


def llm_timeout() -> float:
    """Seconds before an endpoint counts as hung (ASSISTANT_LLM_TIMEOUT)."""
    value = os.environ.get("ASSISTANT_LLM_TIMEOUT", "120")
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise UserError(f"ASSISTANT_LLM_TIMEOUT must be a positive number of seconds, not {value!r}")
    return seconds


@dataclass(frozen=True)
class Settings:
    index_dir: Path = field(default_factory=default_index_dir)
    chroma_url: str | None = None
    llm: str = "local"
    embeddings: str = "minilm"
    retrieval: str = "hybrid"
    rescore: str = "none"

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        base = cls(
            index_dir=Path(_env("ASSISTANT_INDEX_DIR") or default_index_dir()),
            chroma_url=_env("ASSISTANT_CHROMA_URL"),
            llm=_env_or("ASSISTANT_LLM", "local"),
            embeddings=_env_or("ASSISTANT_EMBEDDINGS", "minilm"),
            retrieval=_env_or("ASSISTANT_RETRIEVAL", "hybrid"),
            rescore=_env_or("ASSISTANT_RESCORE", "none"),
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        if "index_dir" in given:
            given["index_dir"] = Path(given["index_dir"])
        return replace(base, **given)
