#!/usr/bin/env python
"""Speed and scale benchmark of the news assistant, in one run on one machine and corpus.

    .venv/bin/python benchmarks/bench.py [--quick] [--out eval/reports] [--articles N]
                                         [--sections a,b,c,d,e,f,g,h,i] [--keep] [--scratch DIR]
                                         [--render-only]

The full run indexes a fixed subset, the first 600 of the 729 articles (~9,600 chunks), and
takes about an hour on 2 quiet cores; --quick uses 40 articles and few repetitions (a smoke
test of every section, ~6 min on 2 quiet cores).

Writes OUT/bench.md (what was measured, how, and the targets), OUT/bench.json (every
number) and OUT/bench-latency.png (query latency against corpus size per retrieval mode),
and prints the headline ratios.

  a. indexing throughput of `assistant index` (a whole CLI process) on a fixed subset of
     rtqa-dev-corpus, against raw SentenceTransformer.encode of the very same chunk texts
     and against a plain LangChain pipeline (RecursiveCharacterTextSplitter + Chroma).
  b. re-sync time of an unchanged corpus and after editing 1% of the articles; the full
     rtqa index (a copy of /work/devidx/rtqa, never the original) when it exists.
  c. cold start of `assistant search` and `assistant ask --llm none` (whole processes),
     and time to first token of `assistant ask --json` with the default local model.
  d. search latency p50/p95 per retrieval mode at 1x, 4x and 16x the corpus, and the
     peak RSS of the process serving each size.
  e. prefill and decode tokens/s of the local model through the assistant's chat model
     against the same GGUF driven directly by xllamacpp.
  f. speculative decoding settings side by side on the assistant's own answer prompts
     (decode tokens/s, accepted drafts, answer identity), and tokens generated against
     tokens shown.
  g. the assistant beside a plain LangChain RAG chain on the same model and server: time
     to first token, answer time, contains-gold, and when the evidence is on screen.
  h. cold one-shot `ask`: the code before issue #23, now, and with `assistant serve`.
  i. where the local model's start-up goes: import, server creation with and without the
     warm-up pass and weight repacking, restoring the saved prompt prefix, a first answer.

Every section runs in try/except: a failure is recorded in the report, the rest goes on.
Heavy measurements run in subprocesses (`--worker KIND`) so each one starts cold, its
peak RSS is its own, and the parent stays small. All scratch data lives in one temp dir.

This file is the runner; each section lives in its own module next to it (indexing.py for
a and b, startup.py for c and h, search.py for d, llm.py for e, speculative.py for f,
peer.py for g, loading.py for i), report.py writes the report.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

# The sibling modules are imported by name: make sure this folder is on the path even when
# the interpreter did not put the script's folder first (python -P, PYTHONSAFEPATH, runpy).
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import indexing  # noqa: E402
import llm  # noqa: E402
import loading  # noqa: E402
import peer  # noqa: E402
import report  # noqa: E402
import search  # noqa: E402
import speculative  # noqa: E402
import startup  # noqa: E402
from common import CORPUS, PROJECT, ensure_importable, log  # noqa: E402
from context import Bench  # noqa: E402

FULL = dict(articles=600, cold_runs=5, resync_runs=3, queries=30, rescore_queries=10, ttft_questions=8, llm_runs=5,
            llm_max_tokens=None, factors=(1, 4, 16), full_resync_runs=3, diagnostics=True)
QUICK = dict(articles=40, cold_runs=3, resync_runs=2, queries=10, rescore_queries=1, ttft_questions=2, llm_runs=2,
             llm_max_tokens=48, factors=(1, 4, 16), full_resync_runs=1, diagnostics=False)

# The run order: b after c and d, because it rewrites the subset with 1% of the articles edited.
PLAN = [("a", indexing.section_a), ("c", startup.section_c), ("d", search.section_d), ("b", indexing.section_b),
        ("e", llm.section_e), ("f", speculative.section_f), ("g", peer.section_g),
        ("h", startup.section_h), ("i", loading.section_i)]

# `bench.py --worker KIND`: measurements that need a fresh interpreter of their own.
WORKERS = {"raw": indexing.worker_raw, "plain": indexing.worker_plain, "clone": search.worker_clone,
           "query": search.worker_query, "llm": llm.worker_llm, "spec": speculative.worker_spec,
           "peer": peer.worker_peer, "load": loading.worker_load}


def run(bench: Bench) -> None:
    bench.prepare()
    wanted = set(bench.args.sections.split(","))
    out = bench.args.out
    try:
        for key, fn in PLAN:
            if key in wanted:
                bench.section(key, report.TITLES[key], fn)
    finally:
        bench.results["finished"] = datetime.now().isoformat(timespec="seconds")
        bench.results["headline"] = report.headline(bench.results)
        bench.save()
        try:
            if "d" in bench.results["sections"]:  # the plot is section d's
                report.plot(bench.results, out / "bench-latency.png")
        except Exception as exc:
            bench.results["plot_error"] = f"{type(exc).__name__}: {exc}"
            log(f"plot failed: {exc}")
        (out / "bench.md").write_text(report.markdown(bench.results))
        bench.save()
        if bench.args.keep:
            log(f"kept {bench.tmp}")
        else:
            shutil.rmtree(bench.tmp, ignore_errors=True)
    report.print_summary(bench.results, out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small subset and few repetitions: a smoke test")
    parser.add_argument("--out", type=Path, default=PROJECT / "eval" / "reports", help="where bench.md/json/png go")
    parser.add_argument("--articles", type=int, help="articles of rtqa-dev-corpus to index (default 600, quick 40)")
    parser.add_argument("--sections", default="a,b,c,d,e,f,g,h,i", help="comma-separated subset of a,b,c,d,e,f,g,h,i")
    parser.add_argument("--rtqa-questions", type=int, help="rtqa-dev questions in sections f and g (default 40)")
    parser.add_argument("--tmp", help="parent of the scratch dir (default: the system temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir")
    parser.add_argument("--scratch", type=Path, help="use (and keep) this scratch dir: indexes copied or built there "
                        "by an earlier run (the rtqa-dev copy, the plain chain's stores) are reused")
    parser.add_argument("--render-only", action="store_true", help="rewrite bench.md and the plot from OUT/bench.json")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--job", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    ensure_importable()
    if args.worker:
        result = WORKERS[args.worker](json.loads(args.job.read_text()))
        args.result.write_text(json.dumps(result, default=str))
        return 0

    args.out = args.out.resolve()
    if args.render_only:
        results = json.loads((args.out / "bench.json").read_text())
        results["headline"] = report.headline(results)
        if "d" in results.get("sections", {}):
            report.plot(results, args.out / "bench-latency.png")
        (args.out / "bench.md").write_text(report.markdown(results))
        report.print_summary(results, args.out)
        return 0
    if not CORPUS.exists():
        parser.error(f"corpus not found: {CORPUS}")
    cfg = dict(QUICK if args.quick else FULL)
    if args.articles:
        cfg["articles"] = args.articles
    if args.rtqa_questions is not None:
        cfg["spec_rtqa"] = args.rtqa_questions
    bench = Bench(args, cfg)
    log(f"scratch dir {bench.tmp}; {'quick' if args.quick else 'full'} run of {bench.cfg['articles']} articles; "
        f"report to {args.out}")
    run(bench)
    return 0


if __name__ == "__main__":
    sys.exit(main())
