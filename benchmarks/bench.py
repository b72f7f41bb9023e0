#!/usr/bin/env python
"""Speed and scale benchmark of the news assistant, in one run on one machine and corpus.

    .venv/bin/python benchmarks/bench.py [--quick] [--out eval/reports] [--articles N]
                                         [--sections a,b,c,d,e] [--keep] [--render-only]

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

Every section runs in try/except: a failure is recorded in the report, the rest goes on.
Heavy measurements run in subprocesses (`--worker KIND`) so each one starts cold, its
peak RSS is its own, and the parent stays small. All scratch data lives in one temp dir.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import platform
import random
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
EVALDATA = PROJECT.parent / "shared" / "evaldata"
CORPUS = EVALDATA / "rtqa-dev-corpus.jsonl"
QUESTIONS = EVALDATA / "rtqa-dev-questions.jsonl"
SEED_QUESTIONS = PROJECT / "eval" / "seed-questions.jsonl"
SEEDS = PROJECT / "seeds"
# An index of the whole rtqa-dev-corpus, for the full re-sync (copied, never written):
# `assistant index ../shared/evaldata/rtqa-dev-corpus.jsonl --index-dir ../devidx/rtqa`.
FULL_INDEX = Path(os.environ.get("BENCH_FULL_INDEX", PROJECT.parent / "devidx" / "rtqa"))

FULL = dict(articles=600, cold_runs=5, resync_runs=3, queries=30, rescore_queries=10, ttft_questions=8, llm_runs=5,
            llm_max_tokens=None, factors=(1, 4, 16), full_resync_runs=3, diagnostics=True)
QUICK = dict(articles=40, cold_runs=3, resync_runs=2, queries=10, rescore_queries=1, ttft_questions=2, llm_runs=2,
             llm_max_tokens=48, factors=(1, 4, 16), full_resync_runs=1, diagnostics=False)

# The targets: headline key -> (label, test of the measured value).
TARGETS = {
    "index_vs_raw": ("indexing throughput >= 0.85 x raw encode", lambda v: v >= 0.85),
    "resync_unchanged_full_s": ("unchanged re-sync of rtqa-dev-corpus <= 3 s", lambda v: v <= 3.0),
    "cold_search_s": ("cold start of `assistant search` <= 3 s", lambda v: v <= 3.0),
    "hybrid_p50_16x_ms": ("hybrid search p50 at 16x <= 150 ms", lambda v: v <= 150.0),
    "ttft_p50_s": ("time to first token p50 <= 4 s", lambda v: v <= 4.0),
    "decode_vs_direct": ("decode tokens/s >= 0.9 x direct xllamacpp", lambda v: v >= 0.9),
}

TITLES = {
    "a": "Indexing throughput",
    "b": "Re-sync",
    "c": "Cold start and time to first token",
    "d": "Search latency and memory at 1x, 4x, 16x",
    "e": "Local model prefill and decode throughput",
}

PERTURB_SIGMA = 0.01  # per-component noise added to cloned vectors (then re-normalised)


# --------------------------------------------------------------------------- helpers

def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def percentile(values, q):
    """Nearest-rank-interpolated percentile (q in 0..100) of a list of numbers."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    pos = (len(values) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return values[low] + (values[high] - values[low]) * (pos - low)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def rnd(value, digits=2):
    return None if value is None else round(value, digits)


@dataclasses.dataclass
class Proc:
    cmd: list
    code: int
    wall_s: float
    maxrss_mb: float
    stdout: str
    stderr: str

    def json(self):
        """The last line of stdout that parses as JSON."""
        for line in reversed(self.stdout.strip().splitlines()):
            line = line.strip()
            if line.startswith(("{", "[")):
                try:
                    return json.loads(line)
                except ValueError:
                    continue
        raise RuntimeError(f"no JSON in the output of {' '.join(map(str, self.cmd[:4]))}: "
                           f"exit {self.code}; stderr: {self.stderr.strip()[-600:]}")

    def check(self) -> "Proc":
        if self.code != 0:
            raise RuntimeError(f"{' '.join(map(str, self.cmd[:6]))} exited {self.code}: {self.stderr.strip()[-800:]}")
        return self


def run_process(cmd, env, timeout=3600.0, cwd=PROJECT) -> Proc:
    """Run a whole process; wall time and its own peak RSS (os.wait4's rusage)."""
    cmd = [str(c) for c in cmd]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=str(cwd))
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Proc(cmd, proc.returncode, wall, usage.ru_maxrss / 1024.0,
                    out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def ensure_importable() -> None:
    """`assistant` as installed (editable) or from PYTHONPATH; the checkout only as a last resort."""
    try:
        import assistant  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(PROJECT))


def assistant_cmd() -> list:
    script = Path(sys.executable).parent / "assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


def read_jsonl(path: Path) -> list:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(rows, path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def load_now():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --------------------------------------------------------------------------- context

class Bench:
    def __init__(self, args) -> None:
        self.args = args
        self.cfg = dict(QUICK if args.quick else FULL)
        if args.articles:
            self.cfg["articles"] = args.articles
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-", dir=args.tmp))
        self.env = self._env()
        self.cli = assistant_cmd()
        self.results: dict = {"sections": {}}
        self.subset = self.tmp / "corpus" / "rtqa-subset.jsonl"
        self.idx_a = self.tmp / "idx-a"

    def _env(self) -> dict:
        keep = {"ASSISTANT_CACHE_DIR", "ASSISTANT_PROMPTS_DIR"}
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") or k in keep}
        env["ASSISTANT_DATA_DIR"] = str(self.tmp / "user-data")  # chat history etc. stay in the temp dir
        env["ANONYMIZED_TELEMETRY"] = "False"
        env["TOKENIZERS_PARALLELISM"] = "false"
        return env

    def assistant(self, *args, timeout=3600.0) -> Proc:
        return run_process(self.cli + list(args), self.env, timeout=timeout)

    def worker(self, kind: str, payload: dict, timeout=7200.0) -> tuple[dict, Proc]:
        """Run `bench.py --worker KIND` in a fresh interpreter; returns its result dict."""
        job = self.tmp / "jobs" / f"{kind}-{secrets.token_hex(4)}.json"
        job.parent.mkdir(parents=True, exist_ok=True)
        job.write_text(json.dumps(payload))
        result_file = job.with_suffix(".out.json")
        proc = run_process([sys.executable, Path(__file__).resolve(), "--worker", kind, "--job", job,
                            "--result", result_file], self.env, timeout=timeout)
        if proc.code != 0 or not result_file.exists():
            raise RuntimeError(f"worker {kind} failed (exit {proc.code}): {proc.stderr.strip()[-1500:]}")
        result = json.loads(result_file.read_text())
        result["process_wall_s"] = proc.wall_s
        result["process_maxrss_mb"] = proc.maxrss_mb
        return result, proc

    def section(self, key: str, title: str, fn) -> None:
        entry = {"title": title, "load_before": load_now()}
        self.results["sections"][key] = entry
        log(f"== {key}. {title}")
        started = time.perf_counter()
        try:
            fn(entry)
        except Exception as exc:  # recorded, never fatal
            entry["error"] = f"{type(exc).__name__}: {exc}"
            entry["traceback"] = traceback.format_exc()
            log(f"   {key} failed: {entry['error'][:300]}")
        entry["seconds"] = round(time.perf_counter() - started, 1)
        entry["load_after"] = load_now()
        self.save()

    def sub(self, entry: dict, key: str, fn):
        """One measurement inside a section: its failure is recorded under entry['errors']."""
        try:
            value = fn()
            entry[key] = value
            return value
        except Exception as exc:
            entry.setdefault("errors", {})[key] = f"{type(exc).__name__}: {exc}"
            log(f"   {key} failed: {type(exc).__name__}: {str(exc)[:300]}")
            return None

    def save(self) -> None:
        out = self.args.out
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench.json").write_text(json.dumps(self.results, indent=2, default=str))

    # ------------------------------------------------------------------ setup

    def prepare(self) -> None:
        self.subset.parent.mkdir(parents=True, exist_ok=True)
        rows = read_jsonl(CORPUS)
        n = min(self.cfg["articles"], len(rows))
        write_jsonl(rows[:n], self.subset)
        self.cfg["articles"] = n
        self.results["config"] = {
            **{k: (list(v) if isinstance(v, tuple) else v) for k, v in self.cfg.items()},
            "quick": self.args.quick,
            "corpus": str(CORPUS),
            "corpus_articles_total": len(rows),
            "subset": f"first {n} articles of {CORPUS.name}",
            "tmp": str(self.tmp),
        }
        self.results["environment"] = environment()
        self.results["started"] = datetime.now().isoformat(timespec="seconds")

    def chunk_texts(self) -> list[str]:
        """Exactly what `assistant index` embeds: the project's reader and chunker (title header included)."""
        from assistant.articles import Problems, read_articles
        from assistant.chunking import chunk_article

        root = self.subset.resolve()
        return [c.text for article in read_articles(root, Problems()) for c in chunk_article(article, str(root))]

    # ------------------------------------------------------------------ a. indexing

    def section_a(self, entry: dict) -> None:
        texts = self.chunk_texts()
        texts_file = self.tmp / "chunk-texts.json"
        texts_file.write_text(json.dumps(texts))
        n_articles = self.cfg["articles"]
        entry["articles"] = n_articles
        entry["chunks"] = len(texts)
        entry["chunk_chars_mean"] = rnd(statistics.mean(len(t) for t in texts), 1) if texts else 0

        def ours():
            proc = self.assistant("index", self.subset, "--index-dir", self.idx_a, "--json", timeout=4 * 3600).check()
            report = proc.json()
            return {
                "wall_s": rnd(proc.wall_s), "in_process_s": report.get("seconds"),
                "chunks": report.get("chunks_total"), "chunks_embedded": report.get("chunks_embedded"),
                "chunks_per_s": rnd(report.get("chunks_total", 0) / proc.wall_s),
                "articles_per_s": rnd(n_articles / proc.wall_s, 3), "maxrss_mb": rnd(proc.maxrss_mb, 0),
            }

        def raw():
            result, _ = self.worker("raw", {"texts": str(texts_file), "diagnostics": self.cfg["diagnostics"]},
                                    timeout=4 * 3600)
            result["chunks_per_s"] = rnd(len(texts) / result["encode_s"])
            result["chunks_per_s_with_load"] = rnd(len(texts) / (result["encode_s"] + result["load_s"]))
            result["process_wall_s"] = rnd(result["process_wall_s"])
            result["process_maxrss_mb"] = rnd(result["process_maxrss_mb"], 0)
            return result

        def plain():
            result, _ = self.worker("plain", {"corpus": str(self.subset), "persist": str(self.tmp / "plain-chroma")},
                                    timeout=4 * 3600)
            wall = result["process_wall_s"]
            result.update(process_wall_s=rnd(wall), process_maxrss_mb=rnd(result["process_maxrss_mb"], 0),
                          chunks_per_s=rnd(result["chunks"] / wall), articles_per_s=rnd(n_articles / wall, 3))
            return result

        o = self.sub(entry, "ours", ours)
        log(f"   ours: {o}")
        r = self.sub(entry, "raw", raw)
        log(f"   raw: {r}")
        p = self.sub(entry, "plain", plain)
        log(f"   plain: {p}")
        if o and r:
            entry["ratio_ours_vs_raw"] = rnd(ratio(o["chunks_per_s"], r["chunks_per_s"]), 3)
            entry["ratio_ours_vs_raw_with_load"] = rnd(ratio(o["chunks_per_s"], r["chunks_per_s_with_load"]), 3)
            if o.get("in_process_s"):
                entry["ratio_ours_in_process_vs_raw"] = rnd(
                    ratio(o["chunks"] / o["in_process_s"], r["chunks_per_s"]), 3)
        if o and p:
            entry["ratio_ours_vs_plain_articles"] = rnd(ratio(o["articles_per_s"], p["articles_per_s"]), 3)
            entry["ratio_ours_vs_plain_chunks"] = rnd(ratio(o["chunks_per_s"], p["chunks_per_s"]), 3)

    # ------------------------------------------------------------------ b. re-sync

    def section_b(self, entry: dict) -> None:
        if not (self.idx_a / "chroma").exists():
            raise RuntimeError("no index from section a to re-sync")
        work = self.tmp / "idx-b"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(self.idx_a, work)

        def index_run(index_dir, *paths):
            proc = self.assistant("index", *paths, "--index-dir", index_dir, "--json", timeout=4 * 3600).check()
            report = proc.json()
            return {"wall_s": rnd(proc.wall_s), "in_process_s": report.get("seconds"),
                    "chunks_embedded": report.get("chunks_embedded"), "chunks_deleted": report.get("chunks_deleted"),
                    "chunks_total": report.get("chunks_total"), "sources_updated": report.get("sources_updated"),
                    "maxrss_mb": rnd(proc.maxrss_mb, 0), "roots": report.get("roots")}

        def unchanged():
            runs = [index_run(work, self.subset) for _ in range(self.cfg["resync_runs"])]
            return {"runs": runs, "median_wall_s": rnd(median([r["wall_s"] for r in runs])),
                    "median_in_process_s": rnd(median([r["in_process_s"] for r in runs]))}

        def one_percent():
            rows = read_jsonl(self.subset)
            count = max(1, math.ceil(len(rows) * 0.01))
            picked = sorted(random.Random(1).sample(range(len(rows)), count))
            for n, i in enumerate(picked):
                # A sentence inserted at the top shifts every window: all chunks of the article change.
                rows[i] = {**rows[i], "text": f"Update {n}: this article was edited for the benchmark. " + rows[i]["text"]}
            write_jsonl(rows, self.subset)
            result = index_run(work, self.subset)
            result["articles_edited"] = count
            return result

        u = self.sub(entry, "unchanged", unchanged)
        log(f"   unchanged: {u and u['median_wall_s']} s")
        c = self.sub(entry, "one_percent", one_percent)
        log(f"   1% edited: {c}")

        def full():
            if not (FULL_INDEX / "chroma").exists():
                return {"skipped": f"no index at {FULL_INDEX}"}
            copy = self.tmp / "idx-full-copy"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(FULL_INDEX, copy)  # the original is never written to
            runs = []
            for _ in range(self.cfg["full_resync_runs"]):
                run = index_run(copy, CORPUS.resolve())
                if run["chunks_embedded"]:
                    run["warning"] = "chunks were embedded: the copy was not in sync with the corpus (not a pure re-sync)"
                runs.append(run)
            shutil.rmtree(copy, ignore_errors=True)
            return {"source": str(FULL_INDEX), "runs": runs, "median_wall_s": rnd(median([r["wall_s"] for r in runs])),
                    "median_in_process_s": rnd(median([r["in_process_s"] for r in runs]))}

        f = self.sub(entry, "full_corpus", full)
        log(f"   full-corpus re-sync: {f and f.get('median_wall_s', f.get('skipped'))}")
        shutil.rmtree(work, ignore_errors=True)

    # ------------------------------------------------------------------ c. cold start + TTFT

    def section_c(self, entry: dict) -> None:
        questions = [q["question"] for q in read_jsonl(QUESTIONS)]
        runs = self.cfg["cold_runs"]

        def cold(*command):
            if not (self.idx_a / "chroma").exists():
                raise RuntimeError("no index from section a")
            self.assistant(*command, "warm-up question", "--index-dir", self.idx_a, "--json")  # disk cache, ONNX export
            results = []
            for q in questions[:runs]:
                proc = self.assistant(*command, q, "--index-dir", self.idx_a, "--json").check()
                proc.json()
                results.append({"wall_s": rnd(proc.wall_s, 3), "maxrss_mb": rnd(proc.maxrss_mb, 0)})
            return {"runs": results, "median_wall_s": rnd(median([r["wall_s"] for r in results]), 3),
                    "max_maxrss_mb": max(r["maxrss_mb"] for r in results)}

        s = self.sub(entry, "cold_search", lambda: cold("search"))
        log(f"   cold search: {s and s['median_wall_s']} s")
        a = self.sub(entry, "cold_ask_llm_none", lambda: cold("ask", "--llm", "none"))
        log(f"   cold ask --llm none: {a and a['median_wall_s']} s")
        self.sub(entry, "ttft", self.ttft)

    def ttft(self) -> dict:
        seeds_idx = self.tmp / "idx-seeds"
        self.assistant("index", SEEDS, "--index-dir", seeds_idx, "--json", timeout=3600).check()
        picked = [q for q in read_jsonl(SEED_QUESTIONS) if not q.get("after")][: self.cfg["ttft_questions"]]
        # Untimed: on a fresh machine the first answer computes and saves the prompt prefix's KV cache.
        self.assistant("ask", "warm-up question about the Ahvaz attack", "--index-dir", seeds_idx, "--json", timeout=1800)
        runs = []
        for q in picked:
            proc = self.assistant("ask", q["question"], "--index-dir", seeds_idx, "--json", timeout=1800)
            run = {"id": q.get("id"), "wall_s": rnd(proc.wall_s), "maxrss_mb": rnd(proc.maxrss_mb, 0), "exit": proc.code}
            try:
                answer = proc.json()
                timings = answer.get("timings_ms", {})
                run["refused"] = answer.get("refused")
                run["timings_ms"] = timings
                if "first_token" in timings:
                    before = sum(timings.get(k, 0) for k in ("condense", "retrieve", "focus"))
                    run["first_token_s"] = rnd(timings["first_token"] / 1000, 3)
                    run["ttft_in_ask_s"] = rnd((before + timings["first_token"]) / 1000, 3)
                run["total_s"] = rnd(timings.get("total", 0) / 1000, 3)
            except Exception as exc:
                run["error"] = str(exc)[:500]
            runs.append(run)
            log(f"   ask {q.get('id')}: {run.get('first_token_s')} s to first token, {run.get('total_s')} s total, wall {run['wall_s']} s")
        generated = [r for r in runs if r.get("first_token_s") is not None]
        return {
            "runs": runs, "questions": len(runs), "generated": len(generated),
            "first_token_p50_s": rnd(median([r["first_token_s"] for r in generated]), 3),
            "first_token_max_s": rnd(max((r["first_token_s"] for r in generated), default=None), 3),
            "ttft_in_ask_p50_s": rnd(median([r["ttft_in_ask_s"] for r in generated]), 3),
            "total_p50_s": rnd(median([r["total_s"] for r in runs if r.get("total_s")]), 3),
            "wall_p50_s": rnd(median([r["wall_s"] for r in runs]), 3),
            "max_maxrss_mb": max((r["maxrss_mb"] for r in runs), default=None),
        }

    # ------------------------------------------------------------------ d. query latency at scale

    def section_d(self, entry: dict) -> None:
        if not (self.idx_a / "chroma").exists():
            raise RuntimeError("no index from section a to scale up")
        questions = [q["question"] for q in read_jsonl(QUESTIONS)][: self.cfg["queries"]]
        qfile = self.tmp / "queries.json"
        qfile.write_text(json.dumps(questions))
        factors = list(self.cfg["factors"])
        dirs = {f: self.tmp / f"idx-d{f}x" for f in factors}
        if 1 in dirs:
            shutil.rmtree(dirs[1], ignore_errors=True)
            shutil.copytree(self.idx_a, dirs[1])  # 1x is the real indexer's output
        bigger = {str(f): str(d) for f, d in dirs.items() if f != 1}
        if bigger:
            built, _ = self.worker("clone", {"src": str(self.idx_a), "targets": bigger, "sigma": PERTURB_SIGMA},
                                   timeout=6 * 3600)
            entry["build"] = built
            log(f"   clones built: {built}")
        entry["sizes"] = {}
        for factor, path in dirs.items():
            def measure(path=path):
                result, _ = self.worker("query", {"index_dir": str(path), "queries": str(qfile), "k": 5,
                                                  "rescore_queries": self.cfg["rescore_queries"]}, timeout=3 * 3600)
                result["process_wall_s"] = rnd(result["process_wall_s"])
                result["process_maxrss_mb"] = rnd(result["process_maxrss_mb"], 0)
                return result
            r = self.sub(entry["sizes"], f"{factor}x", measure)
            if r:
                log(f"   {factor}x ({r.get('chunks')} chunks): " + ", ".join(
                    f"{m} p50 {v.get('p50_ms')} ms" for m, v in r.get("modes", {}).items()) + f", RSS {r['process_maxrss_mb']} MB")
            if factor != 1:
                shutil.rmtree(path, ignore_errors=True)  # gigabytes at 16x of a large subset
        shutil.rmtree(dirs.get(1, self.tmp / "none"), ignore_errors=True)

    # ------------------------------------------------------------------ e. LLM throughput

    def section_e(self, entry: dict) -> None:
        seeds_idx = self.tmp / "idx-seeds"
        if not (seeds_idx / "chroma").exists():
            self.assistant("index", SEEDS, "--index-dir", seeds_idx, "--json", timeout=3600).check()
        question = next(q["question"] for q in read_jsonl(SEED_QUESTIONS) if not q.get("after"))
        result, _ = self.worker("llm", {"index_dir": str(seeds_idx), "question": question, "runs": self.cfg["llm_runs"],
                                        "max_tokens": self.cfg["llm_max_tokens"]}, timeout=3 * 3600)
        result["process_wall_s"] = rnd(result["process_wall_s"])
        result["process_maxrss_mb"] = rnd(result["process_maxrss_mb"], 0)
        entry.update(result)
        log(f"   in-assistant: {result.get('assistant_summary')}")
        log(f"   assistant's server via OpenAI client: {result.get('http_summary')} {result.get('http_error') or ''}")
        log(f"   direct:       {result.get('direct_summary')}")

    # ------------------------------------------------------------------ run

    def run(self) -> None:
        self.prepare()
        wanted = set(self.args.sections.split(","))
        # b after c and d: it rewrites the subset with 1% of the articles edited.
        plan = [("a", self.section_a), ("c", self.section_c), ("d", self.section_d), ("b", self.section_b),
                ("e", self.section_e)]
        try:
            for key, fn in plan:
                if key in wanted:
                    self.section(key, TITLES[key], fn)
        finally:
            self.results["finished"] = datetime.now().isoformat(timespec="seconds")
            self.results["headline"] = headline(self.results)
            self.save()
            try:
                plot(self.results, self.args.out / "bench-latency.png")
            except Exception as exc:
                self.results["plot_error"] = f"{type(exc).__name__}: {exc}"
                log(f"plot failed: {exc}")
            (self.args.out / "bench.md").write_text(markdown(self.results))
            self.save()
            if self.args.keep:
                log(f"kept {self.tmp}")
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
        print_summary(self.results, self.args.out)


def environment() -> dict:
    from importlib import metadata

    versions = {}
    for name in ("news-assistant", "chromadb", "sentence-transformers", "torch", "onnxruntime", "langchain-core",
                 "langchain-chroma", "langchain-classic", "langchain-text-splitters", "xllamacpp", "matplotlib"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        commit = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(PROJECT), "status", "--porcelain", "--untracked-files=no"],
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except Exception:
        commit, dirty = "", False
    memory = None
    try:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    cpu = platform.processor()
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except Exception:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": memory, "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit + ("+dirty" if dirty else ""), "packages": versions,
            "load_at_start": load_now()}


# --------------------------------------------------------------------------- workers

def worker_raw(job: dict) -> dict:
    """The ceiling: one SentenceTransformer.encode over all chunk texts, batch size as in the project."""
    texts = json.loads(Path(job["texts"]).read_text())
    started = time.perf_counter()
    from assistant.embeddings import minilm  # the project's offline environment and model path
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(minilm.model_path()), device="cpu")
    batch = getattr(minilm, "BATCH_SIZE", 32)
    model.encode(texts[:batch], batch_size=batch, normalize_embeddings=True)  # warm-up, not timed
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    model.encode(texts, batch_size=batch, normalize_embeddings=True)
    encode_s = time.perf_counter() - started
    result = {"chunks": len(texts), "batch_size": batch, "load_s": round(load_s, 2), "encode_s": round(encode_s, 2)}
    if job.get("diagnostics"):
        # The project's call pattern: one encode per slice of 4 batches (length sorting only within a slice).
        slice_size = batch * 4
        started = time.perf_counter()
        for start in range(0, len(texts), slice_size):
            model.encode(texts[start:start + slice_size], batch_size=batch, normalize_embeddings=True)
        result["encode_sliced_s"] = round(time.perf_counter() - started, 2)
        result["slice_size"] = slice_size
    try:
        import torch

        result["torch_threads"] = torch.get_num_threads()
    except Exception:
        pass
    return result


def worker_plain(job: dict) -> dict:
    """The plain LangChain pipeline: RecursiveCharacterTextSplitter(1000, 200) + Chroma.from_documents with
    the same MiniLM weights behind a HuggingFaceEmbeddings-style wrapper (one encode call per add)."""
    started = time.perf_counter()
    from assistant.embeddings import minilm
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    class STEmbeddings(Embeddings):
        """What langchain_huggingface.HuggingFaceEmbeddings does (not installed here): encode all texts at once."""

        def __init__(self) -> None:
            self.model = SentenceTransformer(str(minilm.model_path()), device="cpu")

        def embed_documents(self, texts):
            return self.model.encode(list(texts), batch_size=getattr(minilm, "BATCH_SIZE", 32),
                                     normalize_embeddings=True).tolist()

        def embed_query(self, text):
            return self.embed_documents([text])[0]

    import_s = time.perf_counter() - started
    rows = read_jsonl(Path(job["corpus"]))
    docs = [Document(page_content=r["text"], metadata={"source": r["id"], "title": r.get("title") or "",
                                                        "published": r.get("published") or ""}) for r in rows]
    t = time.perf_counter()
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    split_s = time.perf_counter() - t
    t = time.perf_counter()
    embeddings = STEmbeddings()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    store = Chroma.from_documents(chunks, embeddings, persist_directory=job["persist"], collection_name="plain",
                                  collection_metadata={"hnsw:space": "cosine"})
    store_s = time.perf_counter() - t
    count = store._collection.count()
    return {"articles": len(rows), "chunks": count, "chunk_chars_mean": round(statistics.mean(len(c.page_content) for c in chunks), 1),
            "import_s": round(import_s, 2), "split_s": round(split_s, 2), "model_load_s": round(load_s, 2),
            "embed_and_store_s": round(store_s, 2), "in_process_s": round(time.perf_counter() - started, 2)}


def worker_clone(job: dict) -> dict:
    """Bigger corpora without hours of embedding: copy the 1x collection's rows N times with new ids and
    sources (copy 0 verbatim, copies 1.. with slightly perturbed vectors) into a new index dir through the
    store's own API, then let lexical.py sync its FTS table from the collection."""
    import numpy as np
    from assistant.config import Settings
    from assistant.lexical import LexicalIndex
    from assistant.store import Store, lexical_path

    sigma = float(job.get("sigma", PERTURB_SIGMA))
    source = Store(Settings(index_dir=Path(job["src"])))
    collection, info = source.require_active()
    ids, vectors, documents, metadatas = [], [], [], []
    page = 5000
    while True:
        got = collection.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=len(ids))
        ids.extend(got["ids"])
        vectors.extend(np.asarray(got["embeddings"], dtype=np.float32))
        documents.extend(got["documents"])
        metadatas.extend(got["metadatas"])
        if len(got["ids"]) < page:
            break
    base = np.stack(vectors) if vectors else np.zeros((0, info.dimension), dtype=np.float32)
    built = {"base_chunks": len(ids), "sigma": sigma}
    for factor, target in sorted(job["targets"].items(), key=lambda kv: int(kv[0])):
        factor = int(factor)
        settings = Settings(index_dir=Path(target))
        store = Store(settings, writable=True)
        new_info = dataclasses.replace(info, revision=secrets.token_hex(8), complete=True)
        new, new_info = store.create(new_info)
        batch = max(1, min(5000, store.client.get_max_batch_size()))
        rng = np.random.default_rng(factor)
        started = time.perf_counter()
        for copy in range(factor):
            if copy == 0:
                vecs, copy_ids, metas = base, ids, metadatas
            else:
                noisy = base + rng.normal(0.0, sigma, size=base.shape).astype(np.float32)
                vecs = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
                copy_ids = [f"{i}~x{copy}" for i in ids]
                metas = [{**m, "source": f"{m.get('source', '')}~x{copy}"} for m in metadatas]
            for start in range(0, len(copy_ids), batch):
                end = start + batch
                new.add(ids=copy_ids[start:end], embeddings=vecs[start:end], documents=documents[start:end],
                        metadatas=metas[start:end])
        add_s = time.perf_counter() - started
        store.update_info(new, new_info)
        started = time.perf_counter()
        lexical = LexicalIndex(lexical_path(settings, new.name))
        try:
            lexical.sync(new, new_info.revision)
        finally:
            lexical.close()
        built[f"{factor}x"] = {"chunks": new.count(), "chroma_add_s": round(add_s, 1),
                               "lexical_sync_s": round(time.perf_counter() - started, 1)}
    return built


def worker_query(job: dict) -> dict:
    """p50/p95 of Retriever.search per mode on one index; this process's peak RSS is the size's footprint."""
    import inspect

    started = time.perf_counter()
    from assistant import retrieval
    from assistant.config import Settings

    retriever = retrieval.Retriever(Settings(index_dir=Path(job["index_dir"])))
    open_s = time.perf_counter() - started
    queries = json.loads(Path(job["queries"]).read_text())
    k = int(job.get("k", 5))
    modes = [(m, {"mode": m}, queries) for m in getattr(retrieval, "MODES", ("dense", "lexical", "hybrid"))]
    if "rescore" in inspect.signature(retriever.search).parameters:
        # Seconds per query (all-mpnet-base-v2 re-reads the top candidates): fewer questions.
        modes.append(("hybrid+rescore", {"mode": "hybrid", "rescore": True}, queries[: int(job.get("rescore_queries", 10))]))
    t = time.perf_counter()
    retriever.lexical  # opens the FTS table and checks it is in sync (the clone worker synced it)
    lexical_open_s = time.perf_counter() - t
    t = time.perf_counter()
    retriever.embeddings.embed_query("warm-up")
    encoder_load_s = time.perf_counter() - t
    embed = []
    for q in queries:
        t = time.perf_counter()
        retriever.embeddings.embed_query(q)
        embed.append((time.perf_counter() - t) * 1000)
    out = {"chunks": retriever.collection.count(), "queries": len(queries), "k": k, "open_s": round(open_s, 3),
           "lexical_open_s": round(lexical_open_s, 3), "encoder_load_s": round(encoder_load_s, 3),
           "embed_query_p50_ms": round(percentile(embed, 50), 2), "modes": {}}
    for name, kwargs, questions in modes:
        if name == "hybrid+rescore":  # the footprint of plain search, before the second model is loaded
            out["maxrss_mb_before_rescore"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        try:
            t = time.perf_counter()
            retriever.search("warm-up " + queries[0], k=k, **kwargs)  # first use: HNSW load, rescorer model load
            warm_ms = (time.perf_counter() - t) * 1000
            if getattr(retriever, "_rescorer", None) is not None:
                # Re-read every candidate, as without `index --rescore mpnet`: the cost that
                # the prepared vectors remove (eval/reports has the prepared numbers).
                retriever._rescorer.cache = None
            lat = []
            for q in questions:
                t = time.perf_counter()
                retriever.search(q, k=k, **kwargs)
                lat.append((time.perf_counter() - t) * 1000)
            out["modes"][name] = {"p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
                                  "mean_ms": round(statistics.mean(lat), 1), "max_ms": round(max(lat), 1),
                                  "first_ms": round(warm_ms, 1), "queries": len(questions)}
        except Exception as exc:
            out["modes"][name] = {"error": f"{type(exc).__name__}: {exc}"}
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def worker_llm(job: dict) -> dict:
    """Prefill/decode tokens/s of the same prompt through the assistant's chat model (LangChain ChatOpenAI ->
    HTTP -> xllamacpp server) and through an xllamacpp Server driven directly in-process."""
    from assistant.llms import get_chat_model

    llm = get_chat_model("local")
    max_tokens = job.get("max_tokens") or getattr(llm, "max_tokens", None) or 320
    messages, prompt_source = assistant_prompt(job, llm)
    role = {"system": "system", "human": "user", "ai": "assistant"}
    base = [{"role": role.get(m.type, "user"), "content": m.content} for m in messages]

    direct_server = direct_xllamacpp_server()

    def variant(i):
        # A different first line per run: no prompt-cache reuse between runs (llama.cpp reuses common prefixes).
        msgs = [dict(m) for m in base]
        msgs[0]["content"] = f"(benchmark run {i})\n" + msgs[0]["content"]
        return msgs

    # Only override the chat model's own max_tokens when a shorter generation was asked for (--quick).
    extra = {} if max_tokens == getattr(llm, "max_tokens", None) else {"max_tokens": max_tokens}

    def via_assistant(i):
        started = time.perf_counter()
        first = last = None
        usage = None
        pieces = 0
        for chunk in llm.stream(variant(i), stream_usage=True, **extra):
            now = time.perf_counter()
            if chunk.content:
                pieces += 1
                first = first or now
                last = now
            if getattr(chunk, "usage_metadata", None):
                usage = chunk.usage_metadata
        prompt_tokens = (usage or {}).get("input_tokens")
        completion_tokens = (usage or {}).get("output_tokens") or pieces
        return timing_row(started, first, last, prompt_tokens, completion_tokens, pieces)

    client = getattr(llm, "root_client", None)  # the OpenAI client inside the chat model: HTTP without LangChain

    def via_http(i):
        started = time.perf_counter()
        first = last = None
        usage, timings, pieces = None, None, 0
        stream = client.chat.completions.create(
            model=getattr(llm, "model_name", "local"), messages=variant(i), max_completion_tokens=max_tokens,
            temperature=0, stream=True, stream_options={"include_usage": True},
            # Same server and same messages as the in-assistant run just before: don't reuse its cached prompt.
            extra_body={"cache_prompt": False})
        for chunk in stream:
            now = time.perf_counter()
            if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                pieces += 1
                first = first or now
                last = now
            usage = chunk.usage or usage
            timings = (getattr(chunk, "model_extra", None) or {}).get("timings") or timings
        row = timing_row(started, first, last, getattr(usage, "prompt_tokens", None),
                         getattr(usage, "completion_tokens", None) or pieces, pieces)
        add_server_timings(row, timings)
        return row

    def via_direct(i):
        request = {"messages": variant(i), "max_tokens": max_tokens, "temperature": 0, "stream": True,
                   "stream_options": {"include_usage": True}}
        chunks = []
        started = time.perf_counter()

        def callback(chunk):
            chunks.append((time.perf_counter(), chunk))

        direct_server.handle_chat_completions(request, callback)
        first = last = None
        usage, timings, pieces = None, None, 0
        for when, chunk in chunks:
            if isinstance(chunk, str):
                chunk = json.loads(chunk)
            for choice in chunk.get("choices") or []:
                if (choice.get("delta") or {}).get("content"):
                    pieces += 1
                    first = first or when
                    last = when
            usage = chunk.get("usage") or usage
            timings = chunk.get("timings") or timings
        row = timing_row(started, first, last, (usage or {}).get("prompt_tokens"),
                         (usage or {}).get("completion_tokens") or pieces, pieces)
        add_server_timings(row, timings)
        return row

    via_assistant(-1)  # warm-up of both servers (first touch of the weights), not counted
    via_direct(-1)
    assistant_runs, http_runs, direct_runs, http_error = [], [], [], None
    for i in range(int(job["runs"])):  # interleaved, so background load drifts hit every path alike
        assistant_runs.append(via_assistant(i))
        if client is not None and http_error is None:
            try:
                http_runs.append(via_http(i))
            except Exception as exc:  # a diagnostic only
                http_error = f"{type(exc).__name__}: {exc}"
        direct_runs.append(via_direct(i))

    def summary(rows):
        keys = ["prefill_per_s", "decode_per_s", "first_token_s", "total_s", "prompt_tokens", "completion_tokens",
                "server_prompt_per_s", "server_decode_per_s"]
        return {k: rnd(median([r.get(k) for r in rows]), 2) for k in keys if any(r.get(k) is not None for r in rows)}

    a, h, d = summary(assistant_runs), summary(http_runs), summary(direct_runs)
    return {
        "http_runs": http_runs, "http_summary": h, "http_error": http_error,
        "ratio_assistant_server_vs_direct_server_decode": rnd(ratio(h.get("server_decode_per_s"), d.get("server_decode_per_s")), 3),
        "model": "local (default)", "question": job["question"], "prompt_source": prompt_source, "max_tokens": max_tokens, "prompt_tokens": a.get("prompt_tokens"),
        "assistant_runs": assistant_runs, "direct_runs": direct_runs, "assistant_summary": a, "direct_summary": d,
        "ratio_decode_vs_direct_server": rnd(ratio(a.get("decode_per_s"), d.get("server_decode_per_s")), 3),
        "ratio_decode_vs_direct_client": rnd(ratio(a.get("decode_per_s"), d.get("decode_per_s")), 3),
        "ratio_prefill_vs_direct_server": rnd(ratio(a.get("prefill_per_s"), d.get("server_prompt_per_s")), 3),
        "ratio_prefill_vs_direct_client": rnd(ratio(a.get("prefill_per_s"), d.get("prefill_per_s")), 3),
    }


def add_server_timings(row: dict, timings: dict | None) -> None:
    """llama.cpp's own view of one request (the `timings` of the last streamed chunk)."""
    if timings:
        row["server_prompt_per_s"] = round(timings.get("prompt_per_second", 0), 2)
        row["server_decode_per_s"] = round(timings.get("predicted_per_second", 0), 2)
        row["server_prompt_n"] = timings.get("prompt_n")
        row["server_cache_n"] = timings.get("cache_n")


def timing_row(started, first, last, prompt_tokens, completion_tokens, pieces) -> dict:
    end = last or time.perf_counter()
    row = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "pieces": pieces,
           "first_token_s": round(first - started, 3) if first else None, "total_s": round(end - started, 3)}
    if first and prompt_tokens:
        row["prefill_per_s"] = round(prompt_tokens / (first - started), 2)
    if first and last and completion_tokens and completion_tokens > 1 and last > first:
        row["decode_per_s"] = round((completion_tokens - 1) / (last - first), 2)
    return row


def assistant_prompt(job: dict, llm) -> tuple[list, str]:
    """The messages `assistant ask` sends for a seed question: the Answerer's own prompt template filled with
    focused excerpts from an index of seeds/. Falls back to the prompt files and plain passages if the
    chain's shape changed; the second value says which."""
    from datetime import date

    from assistant.config import Settings
    from assistant.retrieval import Retriever

    question = job["question"]
    retriever = Retriever(Settings(index_dir=Path(job["index_dir"])))
    passages = retriever.search(question, k=8)
    try:
        from assistant.chain import Answerer, format_excerpts
        from assistant.excerpts import focus, group

        answerer = Answerer(retriever, llm, k=8)
        excerpts = group(passages)
        focus(question, excerpts, retriever.embeddings)
        variables = {"today": date.today().isoformat(), "question": question, "passages": format_excerpts(excerpts)}
        return answerer.model_chain("generate").first.invoke(variables).to_messages(), "Answerer prompt with focused excerpts"
    except Exception as exc:
        from langchain_core.prompts import ChatPromptTemplate

        from assistant.prompts import answer_system, load

        template = ChatPromptTemplate.from_messages([("system", answer_system()), ("human", load("answer_user.txt"))])
        text = "\n\n".join(f"[{n}] {p.title}\n{p.text}" for n, p in enumerate(passages, start=1))
        variables = {"today": date.today().isoformat(), "question": question, "passages": text}
        return template.invoke(variables).to_messages(), f"prompt files with plain passages (chain route failed: {exc})"


def direct_xllamacpp_server():
    """An xllamacpp Server with the assistant's own parameters (LocalServer), used without HTTP."""
    from assistant.llms import local

    path = local.resolve_model("")
    try:
        return local.LocalServer(path).server  # same CommonParams as the assistant's; a separate instance
    except Exception:
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(path)
        params.n_ctx = getattr(local, "CONTEXT_TOKENS", 4096)
        params.n_parallel = 1
        params.hostnames = ["127.0.0.1"]
        params.port = 0
        params.api_keys = [secrets.token_urlsafe(24)]
        params.cache_ram_mib = 256
        params.verbosity = -1
        return xlc.Server(params)


WORKERS = {"raw": worker_raw, "plain": worker_plain, "clone": worker_clone, "query": worker_query, "llm": worker_llm}


# --------------------------------------------------------------------------- output

def headline(results: dict) -> dict:
    s = results.get("sections", {})
    get = lambda *path: _dig(s, path)
    sizes = {k: v for k, v in (get("d", "sizes") or {}).items() if re.fullmatch(r"\d+x", k)}
    top = max(sizes, key=lambda f: int(f.rstrip("x")), default=None)
    return {
        "index_vs_raw": get("a", "ratio_ours_vs_raw"),
        "index_vs_plain_articles": get("a", "ratio_ours_vs_plain_articles"),
        "resync_unchanged_subset_s": get("b", "unchanged", "median_wall_s"),
        "resync_one_percent_s": get("b", "one_percent", "wall_s"),
        "resync_unchanged_full_s": get("b", "full_corpus", "median_wall_s"),
        "cold_search_s": get("c", "cold_search", "median_wall_s"),
        "cold_ask_llm_none_s": get("c", "cold_ask_llm_none", "median_wall_s"),
        "ttft_p50_s": get("c", "ttft", "first_token_p50_s"),
        "ttft_in_ask_p50_s": get("c", "ttft", "ttft_in_ask_p50_s"),
        "answer_total_p50_s": get("c", "ttft", "total_p50_s"),
        "hybrid_p50_16x_ms": _dig(sizes, ("16x", "modes", "hybrid", "p50_ms")),
        "largest_size": top,
        "hybrid_p50_largest_ms": _dig(sizes, (top, "modes", "hybrid", "p50_ms")) if top else None,
        "decode_vs_direct": get("e", "ratio_decode_vs_direct_server"),
        "decode_vs_direct_client": get("e", "ratio_decode_vs_direct_client"),
        "prefill_vs_direct": get("e", "ratio_prefill_vs_direct_server"),
    }


def _dig(data, path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def verdict(key: str, value) -> str:
    if value is None:
        return "not measured"
    label, test = TARGETS[key]
    return "met" if test(value) else "MISSED"


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = _dig(results, ("sections", "d", "sizes")) or {}
    series: dict[str, list] = {}
    for label, data in sizes.items():
        if not isinstance(data, dict) or "chunks" not in data:
            continue
        for mode, m in data.get("modes", {}).items():
            if "p50_ms" in m:
                series.setdefault(mode, []).append((data["chunks"], m["p50_ms"], m["p95_ms"], label))
    fig, ax = plt.subplots(figsize=(8, 5.6), dpi=120)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    labelled = {}
    for i, (mode, points) in enumerate(sorted(series.items())):
        points.sort()
        xs = [p[0] for p in points]
        color = colors[i % len(colors)]
        ax.plot(xs, [p[1] for p in points], "o-", color=color, label=f"{mode} p50")
        ax.plot(xs, [p[2] for p in points], "x--", color=color, alpha=0.6, label=f"{mode} p95")
        labelled.update({p[0]: p[3] for p in points})
    for x, label in labelled.items():  # the size of each index, once, along the bottom
        ax.annotate(label, (x, 0), xycoords=("data", "axes fraction"), textcoords="offset points", xytext=(0, 4),
                    ha="center", fontsize=8, color="dimgrey")
    ax.axhline(150, color="grey", linestyle=":", linewidth=1, label="target: hybrid p50 ≤ 150 ms at 16×")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the index (log)")
    ax.set_ylabel("Retriever.search latency, ms (log)")
    cfg = results.get("config", {})
    env = results.get("environment", {})
    ax.set_title(f"Search latency vs corpus size ({cfg.get('subset', '')}; {env.get('cpus')} CPUs"
                 f"{', quick' if cfg.get('quick') else ''})", fontsize=9)
    if not series:
        ax.text(0.5, 0.5, "no latency measured (see bench.md)", ha="center", va="center", transform=ax.transAxes)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def fmt(value, unit="", digits=2):
    if value is None:
        return "–"
    if isinstance(value, float):
        value = int(round(value)) if digits == 0 else round(value, digits)
    return f"{value}{unit}"


def markdown(results: dict) -> str:
    cfg = results.get("config", {})
    env = results.get("environment", {})
    h = results.get("headline", {})
    s = results.get("sections", {})
    lines = [
        "# Speed and scale benchmark",
        "",
        f"Run {results.get('started')} → {results.get('finished')} with `benchmarks/bench.py"
        f"{' --quick' if cfg.get('quick') else ''}` at commit `{env.get('commit')}`.",
        f"Machine: {env.get('cpus')} CPUs ({env.get('cpu')}), {env.get('memory_gib')} GiB, Python {env.get('python')}; "
        f"load average at start {env.get('load_at_start')}. Each section lists the load average before and after it: "
        "anything well above 0 means another process shared the CPUs and the numbers are pessimistic.",
        f"Corpus: {cfg.get('subset')} ({cfg.get('corpus_articles_total')} in all), the same subset for every section "
        "that indexes; search questions from `rtqa-dev-questions.jsonl`; answer questions from `eval/seed-questions.jsonl`.",
    ]
    if cfg.get("quick"):
        lines += ["", "**Quick (smoke-test) run**: small subset, few repetitions and short generations; "
                  "the numbers show that everything runs, not how fast it is."]
    lines += ["", "## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    resync = h.get("resync_unchanged_full_s")
    resync_unit = " s (full corpus)"
    if resync is None and h.get("resync_unchanged_subset_s") is not None:
        resync, resync_unit = h["resync_unchanged_subset_s"], f" s (subset of {cfg.get('articles')} articles: no full index)"
    rows = [
        ("index_vs_raw", h.get("index_vs_raw"), "×"),
        ("resync_unchanged_full_s", resync, resync_unit),
        ("cold_search_s", h.get("cold_search_s"), " s"),
        ("hybrid_p50_16x_ms", h.get("hybrid_p50_16x_ms"), " ms"),
        ("ttft_p50_s", h.get("ttft_p50_s"), " s"),
        ("decode_vs_direct", h.get("decode_vs_direct"), "×"),
    ]
    for key, value, unit in rows:
        lines.append(f"| {TARGETS[key][0]} | {fmt(value, unit)} | {verdict(key, value)} |")
    lines += ["", "Also: indexing vs plain LangChain (articles/s) "
              f"{fmt(h.get('index_vs_plain_articles'), '×')}; unchanged re-sync of the subset "
              f"{fmt(h.get('resync_unchanged_subset_s'), ' s')}; re-sync after editing 1% "
              f"{fmt(h.get('resync_one_percent_s'), ' s')}; cold `ask --llm none` {fmt(h.get('cold_ask_llm_none_s'), ' s')}; "
              f"TTFT inside `ask` (retrieval + focus + first token) {fmt(h.get('ttft_in_ask_p50_s'), ' s')}; "
              f"answer total p50 {fmt(h.get('answer_total_p50_s'), ' s')}."]

    def header(key):
        entry = s.get(key)
        out = ["", f"## {key}. {TITLES[key]}", ""]
        if entry is None:
            return out + ["Not run (see `--sections`)."]
        out.append(f"Load average before/after: {entry.get('load_before')} / {entry.get('load_after')}; "
                   f"section took {entry.get('seconds')} s.")
        if entry.get("error"):
            out += ["", f"**Failed:** `{entry['error']}`", "", "```", entry.get("traceback", "").strip()[-3000:], "```"]
        for name, error in (entry.get("errors") or {}).items():
            out += ["", f"**{name} failed:** `{error}`"]
        return out

    a = s.get("a", {})
    lines += header("a")
    if a:
        o, r, p = a.get("ours") or {}, a.get("raw") or {}, a.get("plain") or {}
        lines += [
            "",
            f"{a.get('articles')} articles → {a.get('chunks')} chunks (mean {a.get('chunk_chars_mean')} characters, title "
            "header included: exactly the texts `assistant index` embeds, from the project's own reader and chunker).",
            "",
            "- **ours**: `assistant index SUBSET --index-dir TMP --json` as a whole process into an empty index; "
            "wall time includes interpreter start, imports, model load, Chroma writes, record manager and FTS sync.",
            "- **raw**: `SentenceTransformer.encode(all chunk texts, batch_size=<project's>, normalize_embeddings=True)` "
            "in a fresh process; only the encode call is timed (model load and a one-batch warm-up are not). The ceiling.",
            "- **plain**: `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)` over the article texts + "
            "`langchain_chroma.Chroma.from_documents` with the same MiniLM weights behind a HuggingFaceEmbeddings-style "
            "wrapper (langchain-huggingface is not installed; the wrapper does what it does: one encode over all texts). "
            "It makes different (fewer, longer) chunks, so compare articles/s.",
            "",
            "| pipeline | chunks | seconds | chunks/s | articles/s | peak RSS |",
            "|---|---|---|---|---|---|",
            f"| ours (CLI process) | {fmt(o.get('chunks'))} | {fmt(o.get('wall_s'))} (in-process {fmt(o.get('in_process_s'))}) | "
            f"{fmt(o.get('chunks_per_s'))} | {fmt(o.get('articles_per_s'), digits=3)} | {fmt(o.get('maxrss_mb'), ' MB', 0)} |",
            f"| raw encode | {fmt(r.get('chunks'))} | {fmt(r.get('encode_s'))} (+{fmt(r.get('load_s'))} load) | "
            f"{fmt(r.get('chunks_per_s'))} | – | {fmt(r.get('process_maxrss_mb'), ' MB', 0)} |",
            f"| plain LangChain (process) | {fmt(p.get('chunks'))} | {fmt(p.get('process_wall_s'))} | "
            f"{fmt(p.get('chunks_per_s'))} | {fmt(p.get('articles_per_s'), digits=3)} | {fmt(p.get('process_maxrss_mb'), ' MB', 0)} |",
            "",
            f"Ratios: ours/raw chunks/s **{fmt(a.get('ratio_ours_vs_raw'), '×', 3)}** (target ≥ 0.85; against raw including "
            f"model load {fmt(a.get('ratio_ours_vs_raw_with_load'), '×', 3)}; ours timed in-process "
            f"{fmt(a.get('ratio_ours_in_process_vs_raw'), '×', 3)}); ours/plain articles/s "
            f"**{fmt(a.get('ratio_ours_vs_plain_articles'), '×', 3)}** (chunks/s {fmt(a.get('ratio_ours_vs_plain_chunks'), '×', 3)}).",
        ]
        if r.get("encode_sliced_s"):
            lines.append(f"Diagnostic: raw encode in the project's call pattern (one `encode` per {r.get('slice_size')} "
                         f"texts, so length-sorting only within a slice) took {r['encode_sliced_s']} s vs "
                         f"{r.get('encode_s')} s in one call.")
        if p:
            lines.append(f"Plain pipeline breakdown: imports {p.get('import_s')} s, split {p.get('split_s')} s, model load "
                         f"{p.get('model_load_s')} s, embed+store {p.get('embed_and_store_s')} s.")

    b = s.get("b", {})
    lines += header("b")
    if b:
        u, c, f = b.get("unchanged") or {}, b.get("one_percent") or {}, b.get("full_corpus") or {}
        lines += [
            "",
            "`assistant index SUBSET --index-dir COPY --json` as a whole process on a copy of the index from (a): "
            f"unchanged ({len(u.get('runs', []))} runs, median), then after rewriting the JSONL with 1% of the articles "
            "edited (a sentence inserted at the top, which changes every chunk of the article). The full-corpus line "
            f"re-syncs a copy of `{FULL_INDEX}` (the original is never written) with the whole `{CORPUS.name}`.",
            "",
            "| re-sync | wall s (median) | in-process s | chunks embedded | chunks deleted |",
            "|---|---|---|---|---|",
            f"| subset, unchanged | {fmt(u.get('median_wall_s'))} | {fmt(u.get('median_in_process_s'))} | "
            f"{fmt(_dig(u, ('runs',))[0].get('chunks_embedded') if u.get('runs') else None)} | – |",
            f"| subset, {fmt(c.get('articles_edited'))} article(s) edited | {fmt(c.get('wall_s'))} | {fmt(c.get('in_process_s'))} | "
            f"{fmt(c.get('chunks_embedded'))} | {fmt(c.get('chunks_deleted'))} |",
        ]
        if f.get("skipped"):
            lines.append(f"| full corpus | skipped: {f['skipped']} | | | |")
        elif f:
            first = (f.get("runs") or [{}])[0]
            lines.append(f"| full corpus ({fmt(first.get('chunks_total'))} chunks), unchanged | {fmt(f.get('median_wall_s'))} | "
                         f"{fmt(f.get('median_in_process_s'))} | {fmt(first.get('chunks_embedded'))} | {fmt(first.get('chunks_deleted'))} |")
            for run in f.get("runs", []):
                if run.get("warning"):
                    lines.append(f"\nWarning: {run['warning']}")
                    break
        lines.append("\nTarget: unchanged re-sync of rtqa-dev-corpus ≤ 3 s (the full-corpus line).")

    c = s.get("c", {})
    lines += header("c")
    if c:
        cs, ca, t = c.get("cold_search") or {}, c.get("cold_ask_llm_none") or {}, c.get("ttft") or {}
        lines += [
            "",
            "Cold start = a whole new process on the index from (a), each run with a different question; one untimed "
            "warm-up run first (disk cache warm, ONNX query encoder exported), so this is a warm-cache process start, "
            "not a cold boot.",
            "",
            "| command | runs | median wall s | runs (s) | peak RSS |",
            "|---|---|---|---|---|",
            f"| `assistant search Q --json` | {len(cs.get('runs', []))} | {fmt(cs.get('median_wall_s'), '', 3)} | "
            f"{', '.join(str(r['wall_s']) for r in cs.get('runs', []))} | {fmt(cs.get('max_maxrss_mb'), ' MB', 0)} |",
            f"| `assistant ask Q --llm none --json` | {len(ca.get('runs', []))} | {fmt(ca.get('median_wall_s'), '', 3)} | "
            f"{', '.join(str(r['wall_s']) for r in ca.get('runs', []))} | {fmt(ca.get('max_maxrss_mb'), ' MB', 0)} |",
            "",
            "Time to first token: `assistant ask Q --json` (default local model) against an index of `seeds/`, for the "
            f"first {t.get('questions')} seed questions that are not follow-ups. `first_token` is the JSON's "
            "`timings_ms.first_token` (from the start of generation); 'in ask' adds the retrieval and focus steps before "
            "it; 'total' is `timings_ms.total`; 'wall' is the whole process (model load included). One untimed ask runs "
            "first: it leaves the saved KV cache of the prompt prefix (chat template + system prompt) in the user cache "
            "dir, as any earlier use of the assistant would, so each timed ask prefills only its passages and question.",
            "",
            "| question | refused | first_token s | in ask s | total s | wall s | peak RSS |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in t.get("runs", []):
            lines.append(f"| {r.get('id')} | {r.get('refused')} | {fmt(r.get('first_token_s'), '', 3)} | "
                         f"{fmt(r.get('ttft_in_ask_s'), '', 3)} | {fmt(r.get('total_s'), '', 3)} | {fmt(r.get('wall_s'))} | "
                         f"{fmt(r.get('maxrss_mb'), ' MB', 0)} |" + (f" error: {r['error'][:120]}" if r.get("error") else ""))
        lines += ["", f"p50 first token **{fmt(t.get('first_token_p50_s'), ' s', 3)}** (target ≤ 4 s; max "
                  f"{fmt(t.get('first_token_max_s'), ' s', 3)}), in ask {fmt(t.get('ttft_in_ask_p50_s'), ' s', 3)}, total "
                  f"{fmt(t.get('total_p50_s'), ' s', 3)}, process wall {fmt(t.get('wall_p50_s'), ' s', 3)}; "
                  f"{t.get('generated')} of {t.get('questions')} answers were generated (refusals decided before the "
                  "model have no first token)."]

    d = s.get("d", {})
    lines += header("d")
    if d:
        build = d.get("build") or {}
        lines += [
            "",
            "1× is the index that `assistant index` built in (a). The larger corpora are synthesised, not embedded: every "
            "row of the 1× Chroma collection (id, vector, document, metadata) is copied N times into a new collection "
            "created with the store's own API (`Store.create`) — copy 0 verbatim, copies 1..N-1 with new ids and sources "
            f"(`~xJ` suffixes) and the vector plus Gaussian noise (σ = {build.get('sigma', PERTURB_SIGMA)} per component), "
            "re-normalised, so no two vectors are identical. The documents are the same text, so the FTS5 posting lists "
            "grow N× too. `LexicalIndex.sync` then mirrors each collection into its FTS table, as the Retriever would.",
            "",
            f"Each size is measured in its own process: `Retriever(settings)` opened, warm-up (ONNX encoder, lexical open, "
            f"one search per mode), then `Retriever.search(q, k=5, mode=…)` timed for each of "
            f"{cfg.get('queries')} questions (query embedding included; hybrid+rescore, when the Retriever has it, on the "
            f"first {cfg.get('rescore_queries')} only: all-mpnet-base-v2 re-reads the top candidates, seconds per query). "
            "Peak RSS is that process's `ru_maxrss`: before the re-score model is loaded, and in all.",
            "",
            "| size | chunks | mode | queries | p50 ms | p95 ms | mean ms | first query ms | peak RSS | build (add / FTS sync) |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for label, data in (d.get("sizes") or {}).items():
            if not isinstance(data, dict) or label == "errors":
                continue
            b_ = build.get(label) or {}
            built = f"{b_.get('chroma_add_s')} s / {b_.get('lexical_sync_s')} s" if b_ else "real indexer"
            rss = fmt(data.get("process_maxrss_mb"), " MB", 0)
            if data.get("maxrss_mb_before_rescore"):
                rss = f"{fmt(data['maxrss_mb_before_rescore'], ' MB', 0)} ({rss} with re-score)"
            for j, (mode, m) in enumerate(data.get("modes", {}).items()):
                first = j == 0
                if "error" in m:
                    lines.append(f"| {label if first else ''} | {data.get('chunks') if first else ''} | {mode} | "
                                 f"error: {m['error'][:100]} | | | | | {rss if first else ''} | {built if first else ''} |")
                    continue
                lines.append(f"| {label if first else ''} | {data.get('chunks') if first else ''} | {mode} | "
                             f"{m.get('queries')} | {m['p50_ms']} | {m['p95_ms']} | {m['mean_ms']} | {m['first_ms']} | "
                             f"{rss if first else ''} | {built if first else ''} |")
        for label, error in ((d.get("sizes") or {}).get("errors") or {}).items():
            lines.append(f"\n{label} failed: `{error}`")
        emb = [f"{label}: {data.get('embed_query_p50_ms')} ms" for label, data in (d.get("sizes") or {}).items()
               if isinstance(data, dict) and "embed_query_p50_ms" in data]
        if emb:
            lines.append(f"\nQuery embedding alone (ONNX MiniLM) p50 — {'; '.join(emb)}.")
        lines += ["", "![query latency vs corpus size](bench-latency.png)"]

    e = s.get("e", {})
    lines += header("e")
    if e and "assistant_summary" in e:
        a_, h_, d_ = e.get("assistant_summary", {}), e.get("http_summary") or {}, e.get("direct_summary", {})

        def row(label, m, server=False):
            if server:
                return f"| {label} | {fmt(m.get('server_prompt_per_s'))} | {fmt(m.get('server_decode_per_s'))} | – | – | – |"
            return (f"| {label} | {fmt(m.get('prefill_per_s'))} | {fmt(m.get('decode_per_s'))} | {fmt(m.get('first_token_s'))} | "
                    f"{fmt(m.get('total_s'))} | {fmt(m.get('completion_tokens'), '', 0)} |")

        lines += [
            "",
            f"The same messages ({e.get('prompt_source')} for the seed question “{e.get('question')}”, "
            "against an index of seeds/; "
            f"{fmt(e.get('prompt_tokens'), '', 0)} prompt tokens), max_tokens {e.get('max_tokens')}, temperature 0, each run "
            "with a different first line so llama.cpp cannot reuse a cached prefix between runs; one warm-up per server; "
            "runs interleaved. Client-side rates: prefill = prompt tokens / time to the first content chunk, decode = "
            "(completion tokens − 1) / (last chunk − first chunk), token counts from the usage the server reports. "
            "Server-side rates: llama.cpp's `timings` (prompt_per_second / predicted_per_second) in the last streamed chunk.",
            "",
            "- **in-assistant**: `get_chat_model('local')` — LangChain ChatOpenAI streaming (`stream_usage=True`) over HTTP "
            "to the xllamacpp server the assistant starts on 127.0.0.1.",
            "- **assistant's server, OpenAI client**: the same server and HTTP, through the chat model's own OpenAI client "
            "without LangChain, with `cache_prompt: false` (it follows the in-assistant run with the same messages); shows "
            "whether a gap is LangChain's or the server's.",
            "- **direct**: a second xllamacpp `Server` built with the assistant's own `LocalServer` parameters, driven "
            "in-process by `handle_chat_completions` (streaming callback, no HTTP).",
            "",
            "| path | prefill tok/s | decode tok/s | first token s | total s | completion tokens |",
            "|---|---|---|---|---|---|",
            row("in-assistant (LangChain → HTTP)", a_),
            row("assistant's server, OpenAI client (client-side)", h_),
            row("assistant's server (server timings)", h_, server=True),
            row("direct xllamacpp (client-side)", d_),
            row("direct xllamacpp (server timings)", d_, server=True),
            "",
            f"Ratios in-assistant / direct: decode **{fmt(e.get('ratio_decode_vs_direct_server'), '×', 3)}** vs the direct "
            f"server's timings ({fmt(e.get('ratio_decode_vs_direct_client'), '×', 3)} vs direct client-side; target ≥ 0.9), "
            f"prefill {fmt(e.get('ratio_prefill_vs_direct_server'), '×', 3)} "
            f"({fmt(e.get('ratio_prefill_vs_direct_client'), '×', 3)} client-side). The assistant's server itself decodes at "
            f"{fmt(e.get('ratio_assistant_server_vs_direct_server_decode'), '×', 3)} the direct server's rate (same "
            f"llama.cpp, so ≈ 1 unless its parameters differ). Medians of {len(e.get('assistant_runs', []))} runs."
            + (f" OpenAI-client path failed: `{e['http_error']}`." if e.get("http_error") else ""),
        ]
    lines += ["", "Raw numbers: `bench.json`.", ""]
    return "\n".join(lines)


def print_summary(results: dict, out: Path) -> None:
    h = results.get("headline", {})
    print("\nSpeed and scale — headline")
    for key, value in h.items():
        mark = f"  [{verdict(key, value)}: {TARGETS[key][0]}]" if key in TARGETS else ""
        print(f"  {key:28s} {fmt(value)}{mark}")
    failed = [k for k, v in results.get("sections", {}).items() if v.get("error") or v.get("errors")]
    if failed:
        print(f"  sections with errors: {', '.join(failed)} (details in bench.md)")
    print(f"\nReport: {out / 'bench.md'}\nJSON:   {out / 'bench.json'}\nPlot:   {out / 'bench-latency.png'}")


# --------------------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small subset and few repetitions: a smoke test")
    parser.add_argument("--out", type=Path, default=PROJECT / "eval" / "reports", help="where bench.md/json/png go")
    parser.add_argument("--articles", type=int, help="articles of rtqa-dev-corpus to index (default 600, quick 40)")
    parser.add_argument("--sections", default="a,b,c,d,e", help="comma-separated subset of a,b,c,d,e")
    parser.add_argument("--tmp", help="parent of the scratch dir (default: the system temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir")
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
        results["headline"] = headline(results)
        plot(results, args.out / "bench-latency.png")
        (args.out / "bench.md").write_text(markdown(results))
        print_summary(results, args.out)
        return 0
    if not CORPUS.exists():
        parser.error(f"corpus not found: {CORPUS}")
    bench = Bench(args)
    log(f"scratch dir {bench.tmp}; {'quick' if args.quick else 'full'} run of {bench.cfg['articles']} articles; "
        f"report to {args.out}")
    bench.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
