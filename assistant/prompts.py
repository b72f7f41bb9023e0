"""Prompt templates live as text files in `prompts/` so they can be read and tuned without
touching code. ASSISTANT_PROMPTS_DIR points elsewhere for experiments."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .config import PROJECT_ROOT
from .errors import UserError


def prompts_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_PROMPTS_DIR") or PROJECT_ROOT / "prompts")


@lru_cache(maxsize=None)
def load(name: str) -> str:
    path = prompts_dir() / name
    try:
        return path.read_text(encoding="utf-8").strip() + "\n"
    except OSError:
        raise UserError(f"prompt file missing: {path}") from None


def answer_system(second_look: bool = False) -> str:
    """The answer prompt's instructions. They differ only in what to do when the passages
    seem not to answer (refuse, or on a second look give the best answer), which lives in
    its own file so the two versions cannot drift apart."""
    rule = load("when_unanswered_second_look.txt" if second_look else "when_unanswered.txt").strip()
    return load("answer_system.txt").replace("{when_unanswered}", rule)
