"""Question files: one JSON object per line, `{"id","question","answers","sources","asked_on","after","kind"}`,
each row checked with a one-line error naming its line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from ..config import MAX_QUESTION
from ..errors import UserError
from ..ingest.dates import normalize_date

MAX_ROW = 1_000_000  # characters in one line of a question file


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    asked_on: date | None = None
    after: str | None = None  # id of the question this one follows up on
    kind: str = ""  # a label to score questions by (`assistant eval` reports each kind apart)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, each read in bounded pieces; a byte-order mark is dropped (editors
    on Windows write one)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            number = 0
            while line := f.readline(MAX_ROW + 1):
                number += 1
                if len(line) > MAX_ROW and not line.endswith("\n"):
                    raise UserError(f"{path} line {number}: row too long (over {MAX_ROW:,} characters)")
                yield line
    except FileNotFoundError:
        raise UserError(f"no such question file: {path}") from None
    except IsADirectoryError:
        raise UserError(f"cannot read {path}: it is a folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None


def load_questions(path: Path, on_warning: Callable[[str, str], None] | None = None) -> list[Question]:
    questions, seen, unsourced = [], set(), []
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"{where}: not valid JSON ({exc.msg})") from None
        question = _question(row, where)
        if question.answerable and "sources" not in row:
            unsourced.append(number)
        if question.id in seen:
            raise UserError(f"{where}: duplicate id {question.id!r}")
        if question.after is not None and question.after not in seen:
            raise UserError(f"{where}: 'after' must name an earlier question, not {question.after!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise UserError(f"{path} holds no questions")
    if unsourced and on_warning:
        # Without gold sources a question cannot count for Hits@k and MRR: say so, or the
        # retrieval scores silently cover fewer questions than the file holds.
        lines = ", ".join(map(str, unsourced[:5])) + (", …" if len(unsourced) > 5 else "")
        on_warning(str(path), f"{len(unsourced)} answerable question(s) have no 'sources' (line {lines}): "
                              "they are left out of Hits@k and MRR")
    return questions


def _question(row: object, where: str) -> Question:
    if not isinstance(row, dict):
        raise UserError(f"{where}: expected a JSON object")
    id_, text = row.get("id"), row.get("question")
    if not isinstance(id_, (str, int)) or isinstance(id_, bool) or str(id_).strip() == "":
        raise UserError(f"{where}: 'id' must be a non-empty string")
    if not isinstance(text, str) or not text.strip():
        raise UserError(f"{where}: 'question' must be a non-empty string")
    if len(text.strip()) > MAX_QUESTION:
        raise UserError(f"{where}: the question is too long ({len(text.strip()):,} characters; the limit is {MAX_QUESTION:,})")
    lists = {}
    for key in ("answers", "sources"):
        value = row.get(key, [] if key == "sources" else None)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise UserError(f"{where}: '{key}' must be a list of strings")
        lists[key] = tuple(value)
    asked_on = None
    if row.get("asked_on"):
        try:
            asked_on = date.fromisoformat(str(row["asked_on"]))  # 2022-06-15, 20220615
        except ValueError:
            if not (day := normalize_date(row["asked_on"])):  # with a time, or written out
                raise UserError(f"{where}: 'asked_on' must be a date like 2022-06-15") from None
            asked_on = date.fromisoformat(day)
    after = row.get("after")
    if after is not None and not isinstance(after, str):
        raise UserError(f"{where}: 'after' must be the id of an earlier question")
    kind = row.get("kind", "")
    if not isinstance(kind, str):
        raise UserError(f"{where}: 'kind' must be a string")
    return Question(str(id_), text.strip(), lists["answers"], lists["sources"], asked_on, after, kind.strip())
