"""Markdown reports of evaluation runs, with their per-question tables."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Sequence

from .metrics import EvalResult


def _cell(value, width: int = 80) -> str:
    text = " ".join(str(value if value is not None else "").split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def _fmt(value) -> str:
    return "n/a" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value))


def summary_table(results: list[EvalResult]) -> list[str]:
    lines = [
        "| configuration | Hits@1 | Hits@5 | Hits@10 | MRR@10 | contains | F1 | answerable refused | refusal acc. "
        "| valid markers | gold cited | retrieve p50 ms | answer p50 ms | answer p95 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        s = result.summary()
        r, a, f, c, t = s["retrieval"], s["answers"], s["refusal"], s["citations"], s["latency_ms"]
        answer_latency = (t["p50"], t["p95"]) if result.generated else (None, None)
        lines.append("| " + " | ".join([
            result.label or "default", _fmt(r["hits@1"]), _fmt(r["hits@5"]), _fmt(r["hits@10"]), _fmt(r["mrr@10"]),
            _fmt(a["contains"]), _fmt(a["f1"]), _fmt(a["refused"]), _fmt(f["accuracy"]), _fmt(c["valid_markers"]),
            _fmt(c["gold_source_cited"]), _fmt(r["p50_ms"]), _fmt(answer_latency[0]), _fmt(answer_latency[1]),
        ]) + " |")
    for result in results:
        s, label = result.summary(), result.label or "default"
        causes = s["answers"].get("refused_by")
        if causes:
            listed = ", ".join(f"{check} {count}" for check, count in causes.items())
            lines += ["", f"Answerable questions refused ({label}), by the check that refused: {listed}."]
        citations = s["citations"]
        if citations.get("pruned_markers"):
            lines += ["", f"Markers taken off a sentence because their passage names none of what it adds to the "
                          f"question ({label}): {_fmt(citations['pruned_markers'])} of those the answers carried."]
        if citations.get("added_markers"):
            lines += ["", f"Corroborating markers added to direct answers for other passages naming the answer "
                          f"({label}): {_fmt(citations['added_markers'])} of the markers shown; "
                          f"gold source cited by the model's own markers: {_fmt(citations['gold_source_cited_by_model'])}."]
        second = s["answers"].get("second_look")
        if second and second["answered"]:
            lines += ["", f"Answered on a second look after the model refused ({label}): "
                          f"{second['answered']}, of which {second['correct']} correct."]
    return lines


def kind_table(result: EvalResult) -> list[str]:
    """The scores of each question kind, when the questions have kinds."""
    kinds = result.by_kind()
    if not kinds:
        return []
    lines = ["| kind | questions | Hits@5 | MRR@10 | contains | answerable refused | refusal acc. | answer p50 ms |",
             "|---|---|---|---|---|---|---|---|"]
    for kind, part in kinds.items():
        s = part.summary()
        r, a, f, t = s["retrieval"], s["answers"], s["refusal"], s["latency_ms"]
        lines.append("| " + " | ".join([kind, str(s["n"]), _fmt(r["hits@5"]), _fmt(r["mrr@10"]), _fmt(a["contains"]),
                                        _fmt(a["refused"]), _fmt(f["accuracy"]), _fmt(t["p50"] if result.generated else None)]) + " |")
    return lines


def question_table(result: EvalResult) -> list[str]:
    lines = [
        "| id | question | gold | gold rank | answer | correct | cited | ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in result.rows:
        gold = " / ".join(row.question.answers) or "(refuse)"
        answer = row.answer if result.generated else ""
        if row.refused_by:
            answer = f"({row.refused_by}) {answer}"
        elif row.corrected_by:
            answer = f"(corrected: {row.corrected_by}) {answer}"
        elif row.second_look:
            answer = f"(second look) {answer}"
        lines.append("| " + " | ".join([
            _cell(row.question.id, 30), _cell(row.question.question, 90), _cell(gold, 40), _fmt(row.gold_rank),
            _cell(answer, 120), ("yes" if row.correct else "no") if result.generated else "", _cell(", ".join(row.cited), 40),
            _fmt(round(row.answer_ms if row.answer_ms is not None else row.retrieve_ms)),
        ]) + " |")
    return lines


def hits_plot(results: list[EvalResult], path: Path, title: str) -> Path:
    """Hits@k curves, k = 1..10, one line per configuration."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = list(range(1, 11))
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=110)
    for result in results:
        axes.plot(ks, [result.hits_at(k) or 0.0 for k in ks], marker="o", label=result.label or "default")
    axes.set(xlabel="k (distinct sources)", ylabel="Hits@k", title=title, xticks=ks, ylim=(0, 1.02))
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def write_report(results: EvalResult | list[EvalResult], questions_file: Path, report_dir: Path, settings,
                 notes: Sequence[str] = ()) -> Path:
    results = results if isinstance(results, list) else [results]
    report_dir.mkdir(parents=True, exist_ok=True)
    stem = questions_file.stem
    path = report_dir / f"{stem}.md"
    plotted = [r for r in results if any(row.question.sources for row in r.rows)]
    plot = hits_plot(plotted, path.with_suffix(".png"), questions_file.name) if len(plotted) > 1 else None
    lines = [
        f"# Evaluation: {questions_file.name}",
        "",
        f"Run {datetime.now().isoformat(timespec='seconds')} against `{settings.chroma_url or settings.index_dir}` "
        f"(embeddings {settings.embeddings}, LLM `{settings.llm}`). Retrieval is scored on distinct sources "
        "in retrieval order; an answer is correct when it is not a refusal and a normalised gold string occurs in it.",
        "",
        *notes,
        "",
        *summary_table(results),
        "",
        *([f"![Hits@k per configuration]({plot.name})", ""] if plot else []),
    ]
    for result in results:
        if kinds := kind_table(result):
            lines += [f"## By kind: {result.label or 'default'}", "", *kinds, ""]
    for result in results:
        lines += [f"## Per question: {result.label or 'default'}", "", *question_table(result), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    runs = {r.label or "default": {"summary": r.summary(), "rows": [row.as_json(r.generated) for row in r.rows]} for r in results}
    path.with_suffix(".json").write_text(json.dumps(runs, indent=1), encoding="utf-8")
    return path
