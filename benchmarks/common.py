"""Helpers shared by the benchmark's runner, sections and report: paths, small statistics,
formatting, JSONL files, whole-process runs and a description of the machine.

Only the standard library at import time: every `--worker` subprocess imports this, and
its start-up is part of what some sections time.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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


# --------------------------------------------------------------------------- numbers and text

def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def rnd(value, digits=2):
    return None if value is None else round(value, digits)


def fmt(value, unit="", digits=2):
    """A number for the report: '–' when missing."""
    if value is None:
        return "–"
    if isinstance(value, float):
        value = int(round(value)) if digits == 0 else round(value, digits)
    return f"{value}{unit}"


def dig(data, path):
    """data[path[0]][path[1]]...; None as soon as a key is missing."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


# --------------------------------------------------------------------------- files

def read_jsonl(path: Path) -> list:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(rows, path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------- processes

@dataclasses.dataclass
class Proc:
    cmd: list
    code: int
    wall_s: float
    maxrss_mb: float
    stdout: str
    stderr: str
    cpu_s: float | None = None  # user + system CPU of the process and its waited-for children

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
                    out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                    usage.ru_utime + usage.ru_stime)


def ensure_importable() -> None:
    """`assistant` as installed (editable) or from PYTHONPATH; the checkout only as a last resort."""
    try:
        import assistant  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(PROJECT))


def assistant_cmd() -> list:
    script = Path(sys.executable).parent / "assistant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]


# --------------------------------------------------------------------------- machine

def load_now():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


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
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except Exception:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": memory, "python": platform.python_version(),
            "platform": platform.platform(), "commit": commit + ("+dirty" if dirty else ""), "packages": versions,
            "load_at_start": load_now()}
