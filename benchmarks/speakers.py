"""Speaker accuracy of `assistant.attribute.speakers` on the attribution dev set's source articles.

For each answerable question of ../shared/evaldata/attribution-dev-questions.jsonl, the
expected speaker is the one the question names ("According to X", "What did X call") or,
for "Who said '...'", the gold answer; the sentences that must carry it are those of the
gold article holding a gold answer (or, for "who said", the quoted words). A question
counts as right when one of those sentences is given the expected speaker. The seed's six
statements are checked the same way. Writes eval/reports/speakers.md.

    .venv/bin/python benchmarks/speakers.py [--questions FILE] [--corpus FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVALDATA = ROOT.parent / "shared" / "evaldata"

# The seed's statements and who made them (the attribution issue's list).
SEED = [("flimsier than a spider", "ISIS"), ("fearful shock", "al-Muhajir"), ("cowardly act", "Khamenei"),
        ("from the Gulf states", "Rouhani"), ("terror sponsors", "Zarif"), ("enormous mistake", "Pompeo")]


def _sentences(text: str) -> list[str]:
    from assistant.text.sentences import split_sentences

    return [text[a:b] for a, b in split_sentences(text)]


def _quoted(question: str) -> str:
    """The first words of the question's quotation (in single quotes, which the words
    themselves may contain as apostrophes)."""
    match = re.search(r"(?:^|\s)['‘\"“](.{12,}?)['’\"”](?=[\s?,.]|$)", question)
    return " ".join(match.group(1).split()[:3]) if match else ""


def _holds(sentence: str, needle: str) -> bool:
    from assistant.text.words import normalize_answer

    return bool(needle) and normalize_answer(needle) in normalize_answer(sentence)


def _matches(speaker, expected: str) -> bool:
    from assistant.attribute.names import mentions

    return speaker is not None and mentions(expected, speaker.name, speaker.aliases)


def score_question(row: dict, article: dict) -> dict:
    from assistant.attribute.questions import asked
    from assistant.attribute.speakers import speakers

    question = asked(row["question"])
    if row["kind"] == "who-said":
        expected, needles = max(row["answers"], key=len), [_quoted(row["question"])]
    else:
        expected, needles = (question.speaker if question else ""), row["answers"]
    sentences = _sentences(article["text"])
    found = speakers(sentences)
    targets = [i for i, s in enumerate(sentences) if any(_holds(s, n) for n in needles)]
    got = [found[i].name if found[i] else None for i in targets]
    return {"id": row["id"], "kind": row["kind"], "expected": expected, "targets": len(targets), "got": got,
            "right": any(_matches(found[i], expected) for i in targets),
            "sentence": sentences[targets[0]][:160] if targets else ""}


def score_seed() -> list[dict]:
    from assistant.attribute.speakers import speakers

    text = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    sentences = _sentences(text)
    found = speakers(sentences)
    rows = []
    for needle, expected in SEED:
        i = next(i for i, s in enumerate(sentences) if needle in s)
        rows.append({"statement": needle, "expected": expected, "got": found[i].name if found[i] else None,
                     "right": _matches(found[i], expected)})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=EVALDATA / "attribution-dev-questions.jsonl")
    parser.add_argument("--corpus", type=Path, default=EVALDATA / "rtqa-dev-corpus.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "reports")
    args = parser.parse_args(argv)
    if not args.questions.exists() or not args.corpus.exists():
        print(f"skipped: {args.questions} or {args.corpus} is missing", file=sys.stderr)
        return 0
    from assistant.providers.nlp import parser as nlp

    started = time.perf_counter()
    nlp()
    load_s = time.perf_counter() - started
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    needed = {s for r in rows for s in r["sources"]}
    corpus = {}
    with args.corpus.open() as handle:
        for line in handle:
            article = json.loads(line)
            if article["id"] in needed:
                corpus[article["id"]] = article
    results, seconds = [], []
    for row in rows:
        if not row["answers"]:
            continue
        t = time.perf_counter()
        results.append(score_question(row, corpus[row["sources"][0]]))
        seconds.append(time.perf_counter() - t)
    seed = score_seed()
    right = sum(r["right"] for r in results)
    lines = [
        "# Speaker accuracy", "",
        f"`benchmarks/speakers.py`: {right} of {len(results)} answerable attribution dev questions have the expected speaker "
        f"on a sentence of their gold article holding the answer ({right / len(results):.2f}); "
        f"the seed's statements: {sum(r['right'] for r in seed)} of {len(seed)}.", "",
        f"spaCy load {load_s:.1f} s; parsing and attributing one article (first time) {statistics.median(seconds):.2f} s median.", "",
        "| id | kind | expected | sentences | found on them | right |", "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['id']} | {r['kind']} | {r['expected']} | {r['targets']} | {', '.join(map(str, r['got']))} | "
                     f"{'yes' if r['right'] else 'no'} |")
    lines += ["", "| seed statement | expected | found | right |", "|---|---|---|---|"]
    lines += [f"| {r['statement']} | {r['expected']} | {r['got']} | {'yes' if r['right'] else 'no'} |" for r in seed]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "speakers.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
