"""The prompt templates, which live as text files in `prompts/` so they can be read and
tuned without touching code (ASSISTANT_PROMPTS_DIR points elsewhere for experiments), and
the passages as the model reads them."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..config import shipped
from ..errors import UserError
from ..types import Excerpt


def prompts_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_PROMPTS_DIR") or shipped("prompts"))


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


def as_data(text: str) -> str:
    """Article text as inert data: its own [n] look-alikes and our delimiters defused."""
    text = re.sub(r"[\[［【]\s*(\d+(?:\s*,\s*\d+)*)\s*[\]］】]", r"(\1)", text)
    return re.sub(r"[<＜]\s*/?\s*passage", "passage", text, flags=re.I)


def format_excerpts(excerpts: Sequence[Excerpt], speakers: bool = False, only: tuple[str, str] | None = None) -> str:
    """The passages as the model reads them; with `speakers`, each statement labelled with
    who makes it (`speaker.txt`), for questions about what someone said; with `only` (a
    speaker's name and kind), without the statements of anyone else."""
    from ..attribute.evidence import labelled_text

    template = load("passage.txt")
    label = load("speaker.txt").strip() if speakers else ""
    # Snippets with neither title nor date get no empty "(from: )" line to puzzle over.
    untitled = "\n".join(line for line in template.splitlines() if "{heading}" not in line)
    blocks = []
    for e in excerpts:
        heading = " ".join(part for part in (as_data(e.first.title), f"({e.first.published})" if e.first.published else "") if part)
        text = labelled_text(e, label, only) if label and e.speakers else e.text
        block = (template if heading else untitled).format(n=e.n, heading=heading, text=as_data(text))
        blocks.append(block.replace("\n\n", "\n"))
    return "\n".join(blocks)
