"""The state of one benchmark run, handed to every section: the scratch dir, the environment
for child processes, how to start `assistant` and worker processes, and the bookkeeping
that records each section (and each measurement inside it) even when it fails.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

from common import CORPUS, Proc, assistant_cmd, environment, load_now, log, read_jsonl, run_process, write_jsonl

# Workers are started as `python bench.py --worker KIND`, whichever module asks for them.
BENCH_SCRIPT = Path(__file__).resolve().parent / "bench.py"


class Bench:
    def __init__(self, args, cfg: dict) -> None:
        self.args = args
        self.cfg = dict(cfg)
        scratch = getattr(args, "scratch", None)
        if scratch:
            Path(scratch).mkdir(parents=True, exist_ok=True)
            args.keep = True
        self.tmp = Path(scratch).resolve() if scratch else Path(tempfile.mkdtemp(prefix="bench-", dir=args.tmp))
        self.env = self._env()
        self.cli = assistant_cmd()
        self.results: dict = {"sections": {}}
        self.subset = self.tmp / "corpus" / "rtqa-subset.jsonl"
        self.idx_a = self.tmp / "idx-a"  # section a's index; c, d and b measure on it

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
        proc = run_process([sys.executable, BENCH_SCRIPT, "--worker", kind, "--job", job,
                            "--result", result_file], self.env, timeout=timeout)
        if proc.code != 0 or not result_file.exists():
            raise RuntimeError(f"worker {kind} failed (exit {proc.code}): {proc.stderr.strip()[-1500:]}")
        result = json.loads(result_file.read_text())
        result["process_wall_s"] = proc.wall_s
        result["process_maxrss_mb"] = proc.maxrss_mb
        return result, proc

    def section(self, key: str, title: str, fn) -> None:
        """Run fn(entry) for one section; an exception is recorded in the entry, never fatal."""
        entry = {"title": title, "load_before": load_now()}
        self.results["sections"][key] = entry
        log(f"== {key}. {title}")
        started = time.perf_counter()
        try:
            fn(self, entry)
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

    def prepare(self) -> None:
        """The corpus subset every indexing section uses, and the run's config and machine in the results."""
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
