"""The CLI against a real `chroma run` server: index, search, ask, re-sync; the server
killed (between commands and in the middle of an index run) gives one clear line and
exit 6; restarted on the same data, everything is back and nothing is half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SEED_SOURCE, SEEDS
from reliability import (
    active,
    assert_exactly,
    error_lines,
    expected_chunk_ids,
    free_port,
    inspect_index,
    marker,
    records_count,
    run_cli,
    search_json,
    spawn_cli,
    synthetic_row,
    wait_for,
    write_jsonl,
)

pytestmark = pytest.mark.slow

CHROMA = Path(sys.executable).parent / "chroma"
QUESTION = "Who claimed the Ahvaz attack?"


class ChromaServer:
    def __init__(self, path: Path, log: Path) -> None:
        self.path = path
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"chroma exited: {self.log.read_text()[-2000:]}"
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("chroma did not answer its heartbeat within 120 s")

    def kill(self) -> None:
        """A crash, not a shutdown (the server ignores SIGTERM anyway)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=60)


@pytest.fixture
def server(tmp_path):
    if not CHROMA.exists():
        pytest.skip(f"no chroma binary at {CHROMA}")
    server = ChromaServer(tmp_path / "chroma-data", tmp_path / "chroma.log")
    server.start()
    try:
        yield server
    finally:
        server.kill()


def assert_server_down(result: subprocess.CompletedProcess, url: str) -> None:
    assert result.returncode == 6, result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith("error: ") and url in line and "Traceback" not in result.stderr


def test_cli_against_a_chroma_server_that_goes_away(tmp_path, server):
    index_dir = tmp_path / "local"  # the record manager and keyword cache stay local
    url = server.url
    built = run_cli("index", SEEDS, "--chroma-url", url, "--index-dir", index_dir, "--json")
    assert built.returncode == 0, built.stderr
    total = json.loads(built.stdout)["chunks_total"]
    assert not (index_dir / "chroma").exists()  # vectors went to the server

    code, data, stderr = search_json(index_dir, QUESTION, env={"ASSISTANT_CHROMA_URL": url})
    assert code == 0, stderr
    assert data["results"][0]["source"] == SEED_SOURCE
    asked = run_cli("ask", QUESTION, "--llm", "none", "--json", "--chroma-url", url, "--index-dir", index_dir)
    assert asked.returncode == 0 and json.loads(asked.stdout)["citations"][0]["source"] == SEED_SOURCE
    resync = json.loads(run_cli("index", "--chroma-url", url, "--index-dir", index_dir, "--json").stdout)
    assert (resync["chunks_embedded"], resync["chunks_deleted"], resync["chunks_total"]) == (0, 0, total)
    before = active(inspect_index(index_dir, url))

    # The server crashes between commands.
    server.kill()
    for args in (["search", QUESTION], ["ask", QUESTION, "--llm", "none"], ["index"]):
        result = run_cli(*args, "--chroma-url", url, "--index-dir", index_dir, timeout=120)
        assert_server_down(result, url)
        assert "cannot open the Chroma index at" in result.stderr

    # Back on the same data: the same index, searchable again.
    server.start()
    after = active(inspect_index(index_dir, url))
    assert after["name"] == before["name"] and sorted(after["ids"]) == sorted(before["ids"])
    code, data, _ = search_json(index_dir, QUESTION, "--chroma-url", url)
    assert code == 0 and data["results"][0]["source"] == SEED_SOURCE

    # The server crashes in the middle of an index run, after a first batch was stored.
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "news.jsonl", [synthetic_row(i) for i in range(150)])
    committed = records_count(index_dir)
    writer = spawn_cli("index", corpus, "--chroma-url", url, "--index-dir", index_dir, "--json")
    wait_for(lambda: records_count(index_dir) >= committed + 128 or writer.poll() is not None, timeout=300,
             what="the first batch")
    os.kill(writer.pid, signal.SIGSTOP)  # hold it there while the server dies
    try:
        assert writer.poll() is None, writer.communicate()
        server.kill()
    finally:
        os.kill(writer.pid, signal.SIGCONT)
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 6, err
    [line] = error_lines(err)
    assert line.startswith(f"error: the Chroma server at {url} failed: ")
    assert marker(index_dir) is not None

    # Restarted: the next run completes what the crashed one began, exactly.
    server.start()
    code, data, _ = search_json(index_dir, "ISIS threatens Iran with more attacks", "--chroma-url", url)
    assert code == 0 and SEED_SOURCE in [r["source"] for r in data["results"]]
    done = run_cli("index", "--chroma-url", url, "--index-dir", index_dir, "--json")
    assert done.returncode == 0, done.stderr
    assert_exactly(inspect_index(index_dir, url), expected_chunk_ids(SEEDS, corpus),
                   {SEED_SOURCE} | {f"syn-{i:04d}" for i in range(150)})
    assert marker(index_dir) is None
