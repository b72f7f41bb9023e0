"""Helpers for the reliability tests: a synthetic corpus, the CLI as a real subprocess,
and an inspector that reads an index's whole state from a fresh process."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from conftest import SEED_SOURCE, SEEDS

from assistant.store.locks import chroma_lock

SEED_TEXT = (SEEDS / SEED_SOURCE).read_text()
_PARAGRAPHS = [" ".join(p.split()) for p in SEED_TEXT.split("\n\n")[1:] if len(p.strip()) > 40]
_CITIES = ["Ahvaz", "Tehran", "Basra", "Mosul", "Tabriz", "Shiraz", "Isfahan", "Kerman", "Qom", "Mashhad"]
_TOPICS = ("river bridge council budget harvest storm election museum railway hospital school market "
           "festival drought satellite").split()


def synthetic_row(i: int, variant: str = "") -> dict:
    """One short article (one chunk) built from the seed's paragraphs; distinct by id and text."""
    rng = random.Random(f"{i}{variant}")
    city = rng.choice(_CITIES)
    lead = (f"Report {i}{variant}: officials in {city} discussed the {rng.choice(_TOPICS)} and the "
            f"{rng.choice(_TOPICS)} with {rng.randint(2, 9999)} residents.")
    text = "\n\n".join([lead] + rng.sample(_PARAGRAPHS, 2))[:700]
    return {"id": f"syn-{i:04d}", "title": f"{city} bulletin {i}",
            "published": f"2018-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "text": text}


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def expected_chunk_ids(*roots: Path) -> set[str]:
    """The ids an index of these roots must hold exactly: from the loaders and the chunker."""
    from langchain_core.documents import Document

    from assistant.ingest.chunking import chunk_article, chunk_key
    from assistant.ingest.problems import Problems
    from assistant.ingest.readers import read_articles

    ids = set()
    for root in roots:
        root = root.resolve()
        for article in read_articles(root, Problems()):
            for chunk in chunk_article(article, str(root)):
                ids.add(chunk_key(Document(page_content=chunk.text, metadata=chunk.metadata)))
    return ids


def cli_command(*args) -> list[str]:
    return [sys.executable, "-m", "assistant", *[str(a) for a in args]]


def run_cli(*args, timeout: float = 300, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cli_command(*args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, input=input)


def spawn_cli(*args, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(cli_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, **kwargs)


def wait_for(condition, timeout: float = 120, interval: float = 0.02, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def kill_hard(process: subprocess.Popen) -> int:
    """SIGKILL; returns the exit status (-9 when the kill interrupted it)."""
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return process.returncode


@contextmanager
def frozen(process: subprocess.Popen, index_dir: Path):
    """SIGSTOP `process` between two of its Chroma calls, SIGCONT on leaving. Stopped
    inside one, it would hold the index's Chroma lock and every reader would wait for it."""
    with chroma_lock(index_dir):
        os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


def records_count(index_dir: Path) -> int:
    """Rows in the record manager (committed batches), read without locking anything."""
    path = index_dir / "records.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM upsertion_record").fetchone()[0]
    except sqlite3.OperationalError:  # created but no schema yet, or busy
        return 0


def marker(index_dir: Path) -> dict | None:
    try:
        return json.loads((index_dir / "indexing.json").read_text())
    except (OSError, ValueError):
        return None


_INSPECT = r"""
import glob, json, os, sqlite3, sys
import chromadb
index_dir, url = sys.argv[1], sys.argv[2]
settings = chromadb.Settings(anonymized_telemetry=False)
if url:
    host, port = url.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=settings)
else:  # the lock every process using an embedded index holds around Chroma calls
    from filelock import FileLock
    lock = FileLock(os.path.join(index_dir, "chroma.lock"))
    lock.acquire()
    client = chromadb.PersistentClient(os.path.join(index_dir, "chroma"), settings=settings)
out = {"collections": [], "records": [], "lexical": {}}
for c in client.list_collections():
    got = c.get(include=["documents", "metadatas"])
    out["collections"].append({"name": c.name, "metadata": c.metadata, "count": c.count(), "ids": got["ids"],
                               "documents": got["documents"], "sources": [m["source"] for m in got["metadatas"]]})
records = os.path.join(index_dir, "records.sqlite")
if os.path.exists(records):
    with sqlite3.connect(records) as db:
        try:
            out["records"] = [list(r) for r in db.execute("SELECT namespace, key, group_id FROM upsertion_record")]
        except sqlite3.OperationalError:  # killed before LangChain created its table
            pass
for path in glob.glob(os.path.join(index_dir, "lexical", "*.sqlite")):
    with sqlite3.connect(path) as db:
        out["lexical"][os.path.basename(path)[:-7]] = [r[0] for r in db.execute("SELECT id FROM chunks")]
print(json.dumps(out))
"""


def inspect_index(index_dir: Path, chroma_url: str = "") -> dict:
    """Every collection (ids, texts, sources), record and lexical row, read by a fresh process
    so that no client cached in the test process can hide what is on disk."""
    done = subprocess.run([sys.executable, "-c", _INSPECT, str(index_dir), chroma_url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def active(state: dict) -> dict:
    complete = [c for c in state["collections"] if c["metadata"].get("complete")]
    assert complete, f"no complete collection in {[c['name'] for c in state['collections']]}"
    return max(complete, key=lambda c: c["metadata"]["created"])


def assert_exactly(state: dict, expected_ids: set[str], expected_sources: set[str]) -> dict:
    """The index holds each expected chunk once and nothing else, and its records and
    keyword table agree with it."""
    assert [c["name"] for c in state["collections"]] == [active(state)["name"]], "leftover collections"
    collection = active(state)
    ids = collection["ids"]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert len(collection["documents"]) == len(set(collection["documents"])), "duplicate chunk texts"
    assert set(ids) == expected_ids, (
        f"{len(set(ids) - expected_ids)} unexpected (orphans), {len(expected_ids - set(ids))} missing")
    assert set(collection["sources"]) == expected_sources
    prefix = collection["name"] + ":"
    assert all(ns.startswith(prefix) for ns, _, _ in state["records"]), "records of dropped collections remain"
    recorded = [key for _, key, _ in state["records"]]
    assert sorted(recorded) == sorted(ids), "records and vectors disagree"
    assert sorted(state["lexical"].get(collection["name"], [])) == sorted(ids), "keyword table disagrees"
    return collection


def search_json(index_dir: Path, query: str, *extra, env: dict | None = None) -> tuple[int, dict | None, str]:
    done = run_cli("search", query, "--json", "--index-dir", index_dir, *extra, env=env)
    data = json.loads(done.stdout) if done.returncode == 0 else None
    return done.returncode, data, done.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]
