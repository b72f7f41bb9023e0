"""`assistant eval`: run a question set against the index and measure it.

Retrieval is scored at the level of sources (distinct articles in retrieval order).
An answer is correct when a normalised gold string occurs in it; rows with no gold
answers are unanswerable and the right reply is a refusal.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .articles import normalize_date
from .chain import Turn
from .citations import marker_count
from .errors import UserError
from .retrieval import DateRange
from .text import normalize_answer

DEPTH = 30  # chunks retrieved to rank sources for Hits@10


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    asked_on: date | None = None
    after: str | None = None  # id of the question this one follows up on

    @property
    def answerable(self) -> bool:
        return bool(self.answers)



def load_questions(path: Path) -> list[Question]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError(f"no such question file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None
    questions, seen = [], set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise UserError(f"{where}: not valid JSON ({exc.msg})") from None
        question = _question(row, where)
        if question.id in seen:
            raise UserError(f"{where}: duplicate id {question.id!r}")
        if question.after is not None and question.after not in seen:
            raise UserError(f"{where}: 'after' must name an earlier question, not {question.after!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise UserError(f"{path} holds no questions")
    return questions


def _question(row: object, where: str) -> Question:
    if not isinstance(row, dict):
        raise UserError(f"{where}: expected a JSON object")
    id_, text = row.get("id"), row.get("question")
    if not isinstance(id_, (str, int)) or isinstance(id_, bool) or str(id_).strip() == "":
        raise UserError(f"{where}: 'id' must be a non-empty string")
    if not isinstance(text, str) or not text.strip():
        raise UserError(f"{where}: 'question' must be a non-empty string")
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
    return Question(str(id_), text.strip(), lists["answers"], lists["sources"], asked_on, after)


def token_f1(prediction: str, gold: str) -> float:
    pred, ref = normalize_answer(prediction).split(), normalize_answer(gold).split()
    common = sum((Counter(pred) & Counter(ref)).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains_gold(prediction: str, golds: tuple[str, ...]) -> bool:
    text = normalize_answer(prediction)
    return any(normalize_answer(gold) and normalize_answer(gold) in text for gold in golds)


@dataclass
class Row:
    question: Question
    sources: list[str]  # distinct retrieved sources, best first
    retrieve_ms: float
    answer: str = ""
    refused: bool | None = None
    refused_by: str | None = None
    second_look: bool = False
    cited: list[str] = field(default_factory=list)
    cited_by_model: list[str] = field(default_factory=list)  # without the corroborating markers
    cited_chunks: tuple[str, ...] = ()
    markers_total: int = 0
    markers_valid: int = 0
    markers_pruned: int = 0
    markers_added: int = 0  # corroborating markers, not the model's
    markers_shown: int = 0  # in the answer as displayed
    answer_ms: float | None = None

    @property
    def gold_rank(self) -> int | None:
        for rank, source in enumerate(self.sources, start=1):
            if source in self.question.sources:
                return rank
        return None

    @property
    def correct(self) -> bool:
        return contains_gold(self.answer, self.question.answers) if self.question.answerable else bool(self.refused)

    def as_json(self, generated: bool = True) -> dict:
        """`correct` is null where no answer was generated (retrieval only)."""
        return {
            "id": self.question.id, "question": self.question.question, "gold": list(self.question.answers),
            "gold_rank": self.gold_rank, "answer": self.answer, "refused": self.refused,
            "refused_by": self.refused_by, "second_look": self.second_look, "correct": self.correct if generated else None,
            "cited_sources": self.cited, "cited_by_model": self.cited_by_model, "retrieve_ms": round(self.retrieve_ms), "answer_ms": self.answer_ms and round(self.answer_ms),
        }


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percentile(values: list[float], q: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))])


@dataclass
class EvalResult:
    rows: list[Row]
    generated: bool
    label: str = ""

    def hits_at(self, k: int) -> float | None:
        """Share of questions with a gold source whose gold source ranked in the top k."""
        return _mean([1.0 if r and r <= k else 0.0 for r in self._gold_ranks()])

    def _gold_ranks(self) -> list[int | None]:
        return [r.gold_rank for r in self.rows if r.question.sources]

    def summary(self) -> dict:
        ranks = self._gold_ranks()
        answerable = [r for r in self.rows if r.question.answerable]
        unanswerable = [r for r in self.rows if not r.question.answerable]
        gen = self.generated
        correct = [r for r in answerable if r.correct] if gen else []
        total_markers = sum(r.markers_total for r in self.rows)
        latencies = [r.answer_ms if gen else r.retrieve_ms for r in self.rows if (r.answer_ms if gen else r.retrieve_ms) is not None]
        return {
            "n": len(self.rows),
            "label": self.label,
            "retrieval": {
                "hits@1": self.hits_at(1),
                "hits@5": self.hits_at(5),
                "hits@10": self.hits_at(10),
                "mrr@10": _mean([1.0 / r if r and r <= 10 else 0.0 for r in ranks]),
                "n": len(ranks),
                "p50_ms": _percentile([r.retrieve_ms for r in self.rows], 0.5),
            },
            "answers": {
                "contains": _mean([1.0 if r.correct else 0.0 for r in answerable]) if gen else None,
                "f1": _mean([max((token_f1(r.answer, g) for g in r.question.answers), default=0.0) for r in answerable]) if gen else None,
                "refused": _mean([1.0 if r.refused else 0.0 for r in answerable]) if gen else None,
                "refused_by": dict(Counter(r.refused_by for r in answerable if r.refused).most_common()) if gen else None,
                # Answers kept from the second look (after the model refused), and how many were right.
                "second_look": {"answered": sum(r.second_look for r in self.rows),
                                "correct": sum(r.second_look and r.correct for r in answerable)} if gen else None,
                "n": len(answerable) if gen else 0,
            },
            "refusal": {
                "accuracy": _mean([1.0 if r.refused else 0.0 for r in unanswerable]) if gen else None,
                "n": len(unanswerable) if gen else 0,
            },
            "citations": {
                "valid_markers": _ratio(sum(r.markers_valid for r in self.rows), total_markers),
                # Of the markers an answer carried after the other checks and before corroboration,
                # those taken off a sentence because their passage names none of what it adds to the question.
                "pruned_markers": _ratio(sum(r.markers_pruned for r in self.rows),
                                         sum(r.markers_pruned + r.markers_shown - r.markers_added for r in self.rows)),
                # Of the markers shown, those added to the direct answer for another passage naming it.
                "added_markers": _ratio(sum(r.markers_added for r in self.rows), sum(r.markers_shown for r in self.rows)),
                "gold_source_cited": _mean([1.0 if set(r.cited) & set(r.question.sources) else 0.0 for r in correct if r.question.sources]),
                "gold_source_cited_by_model": _mean([1.0 if set(r.cited_by_model) & set(r.question.sources) else 0.0
                                                     for r in correct if r.question.sources]),
            },
            "latency_ms": {"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)},
        }


def distinct_sources(passages) -> list[str]:
    return list(dict.fromkeys(p.source for p in passages))


def _history(question: Question, rows: dict[str, "Row"]) -> list[Turn]:
    """The conversation a follow-up question continues: its chain of `after` rows."""
    turns = []
    previous = rows.get(question.after) if question.after else None
    while previous is not None:
        turns.insert(0, Turn(previous.question.question, previous.answer, previous.cited_chunks))
        previous = rows.get(previous.question.after) if previous.question.after else None
    return turns


def run_eval(answerer, questions: list[Question], generate: bool = True, progress=None, label: str = "") -> EvalResult:
    rows = []
    by_id: dict[str, Row] = {}
    if generate:
        answerer.load_model()  # its seconds are not the first question's latency
    status = progress.status("evaluating…") if progress is not None else None
    if status:
        status.start()
    try:
        for done, q in enumerate(questions, start=1):
            if status:
                status.update(f"evaluating… {done}/{len(questions)} {q.id}")
            result = None
            if generate and answerer.has_model:
                result = answerer.ask(q.question, history=_history(q, by_id), as_of=q.asked_on)
            started = time.monotonic()
            # Ranked deeper than the answer needs, for Hits@10; follow-ups use their rewrite.
            passages = answerer.retriever.search(result.standalone if result else q.question, k=DEPTH, as_of=q.asked_on)
            row = Row(q, distinct_sources(passages)[:10], (time.monotonic() - started) * 1000)
            by_id[q.id] = row
            if result is not None:
                row.answer, row.refused, row.refused_by = result.answer, result.refused, result.refused_by
                row.second_look = result.second_look
                row.cited = list(dict.fromkeys(c.source for c in result.citations))
                row.cited_by_model = list(dict.fromkeys(c.source for c in result.primary_citations))
                row.cited_chunks = tuple(c.chunk_id for c in result.primary_citations)  # for follow-ups
                row.markers_total = marker_count(result.raw)
                row.markers_valid = row.markers_total - result.dropped_markers
                row.markers_pruned = result.pruned_markers
                row.markers_added = result.added_markers
                row.markers_shown = marker_count(result.answer)
                row.answer_ms = result.timings_ms.get("total")
            rows.append(row)
    finally:
        if status:
            status.stop()
    return EvalResult(rows, generated=generate and answerer.has_model, label=label)
