"""Settings from CLI options and environment variables, with the defaults in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "news-assistant"


def _in_checkout() -> bool:
    return (PROJECT_ROOT / "pyproject.toml").exists()


def default_index_dir() -> Path:
    if _in_checkout():
        return PROJECT_ROOT / "index"
    return Path(platformdirs.user_data_dir(APP_NAME)) / "index"


def default_corpus() -> Path:
    return PROJECT_ROOT / "seeds"


def cache_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))


def data_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


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
            llm=_env("ASSISTANT_LLM", "local"),
            embeddings=_env("ASSISTANT_EMBEDDINGS", "minilm"),
            retrieval=_env("ASSISTANT_RETRIEVAL", "hybrid"),
            rescore=_env("ASSISTANT_RESCORE", "none"),
        )
        given = {key: value for key, value in overrides.items() if value is not None}
        if "index_dir" in given:
            given["index_dir"] = Path(given["index_dir"])
        return replace(base, **given)
