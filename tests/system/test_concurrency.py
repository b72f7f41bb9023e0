"""Several real processes on one index dir: a second writer is refused by the lock (exit 4,
one line) while the first keeps going, and readers get answers throughout."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from conftest import SEED_SOURCE, SEEDS
from reliability import (
    assert_exactly,
    error_lines,
    expected_chunk_ids,
    frozen,
    inspect_index,
    marker,
    records_count,
    run_cli,
    spawn_cli,
    synthetic_row,
    wait_for,
    write_jsonl,
)

from assistant.config import Settings
from assistant.errors import BackendError
from assistant.ingest.indexer import run_index
from assistant.store import chroma as store
from assistant.store import locks

pytestmark = pytest.mark.slow

QUESTION = "ISIS threatens Iran with more attacks"  # the seed's headline


def readers_work(index_dir) -> None:
    """`search` and `ask --llm none`, each a fresh process, find the seed article."""
    search = spawn_cli("search", QUESTION, "--json", "--index-dir", index_dir)
    ask = spawn_cli("ask", QUESTION, "--llm", "none", "--json", "--index-dir", index_dir)
    for process in (search, ask):
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, err
        data = json.loads(out)
        hits = data.get("results") or data.get("citations")
        assert SEED_SOURCE in [hit["source"] for hit in hits]


def test_one_writer_at_a_time_and_readers_keep_working(tmp_path, embeddings):
    index_dir = tmp_path / "index"
    run_index(Settings(index_dir=index_dir), [SEEDS], embeddings=embeddings)  # an index in use
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "news.jsonl", [synthetic_row(i) for i in range(160)])

    committed = records_count(index_dir)
    writer = spawn_cli("index", corpus, "--index-dir", index_dir, "--json")
    try:
        # Frozen (SIGSTOP) at two points, so that nothing depends on how fast this machine is:
        # just after it took the lock, and half-way (first batch committed, second being embedded).
        for point, reached in (("the writer's start", lambda: marker(index_dir)),
                               ("the writer's first batch", lambda: records_count(index_dir) >= committed + 128)):
            wait_for(lambda reached=reached: reached() or writer.poll() is not None, timeout=300, what=point)
            with frozen(writer, index_dir):
                assert writer.poll() is None, f"the writer ended before {point}: {writer.communicate()}"
                # A second writer (plain and --rebuild) is turned away at once...
                for extra in ((), ("--rebuild",)) if point == "the writer's start" else ((),):
                    second = run_cli("index", corpus, *extra, "--index-dir", index_dir)
                    assert second.returncode == 4, second.stderr
                    assert error_lines(second.stderr) == [
                        f"error: another `assistant index` is updating {index_dir} right now; "
                        "wait for it to finish and try again"]
                # ...and readers are served from what is committed.
                readers_work(index_dir)
        # And while it runs free (however long that still is).
        readers_work(index_dir)
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.communicate()

    report = json.loads(out)
    assert report["sources_added"] == 160 and report["chunks_embedded"] == 160
    expected = expected_chunk_ids(SEEDS, corpus)
    assert_exactly(inspect_index(index_dir), expected, {SEED_SOURCE} | {f"syn-{i:04d}" for i in range(160)})
    # The lock went with the writer: the next run is not refused.
    after = run_cli("index", "--index-dir", index_dir, "--json")
    assert after.returncode == 0 and json.loads(after.stdout)["chunks_embedded"] == 0


def test_chroma_calls_wait_for_each_other_across_processes(tmp_path, embeddings, monkeypatch):
    """Embedded Chroma is single-process: while another process is inside a Chroma call (here:
    holds its lock), a reader waits instead of loading half-written index files, then answers;
    a process stuck in it gives a one-line error after LOCK_WAIT."""
    index_dir = tmp_path / "index"
    run_index(Settings(index_dir=index_dir), [SEEDS], embeddings=embeddings)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(index_dir / "chroma.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        reader = spawn_cli("search", QUESTION, "--json", "--index-dir", index_dir)
        time.sleep(8)  # a search takes 2-3 s here when nothing holds the lock
        assert reader.poll() is None, "the reader did not wait for the lock"

        monkeypatch.setattr(locks, "LOCK_WAIT", 0.5)
        with pytest.raises(BackendError, match=r"has been busy for 0 s: another process is stuck in it"):
            _ = store.Store(Settings(index_dir=index_dir)).client
    finally:
        holder.kill()
        holder.wait()
    out, err = reader.communicate(timeout=180)
    assert reader.returncode == 0, err
    assert SEED_SOURCE in [hit["source"] for hit in json.loads(out)["results"]]


HOLD = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])  # kept: a collected FileLock lets go
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""
