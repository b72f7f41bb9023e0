"""Run a question set through the answerer (and the retriever, ranked deeper for Hits@10)."""

from __future__ import annotations

import time

from ..answer.markers import marker_count
from ..types import Turn
from .metrics import EvalResult, Row
from .questions import Question

DEPTH = 30  # chunks retrieved to rank sources for Hits@10


def distinct_sources(passages) -> list[str]:
    return list(dict.fromkeys(p.source for p in passages))


def _history(question: Question, rows: dict[str, "Row"]) -> list[Turn]:
    """The conversation a follow-up question continues: its chain of `after` rows."""
    turns: list[Turn] = []
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
                row.answer, row.refused = result.answer, result.refused
                row.refused_by = result.refused_by.value if result.refused_by else None
                row.corrected_by = result.corrected_by.value if result.corrected_by else None
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
