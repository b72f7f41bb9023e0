"""SIGTERM (`kill`, a service manager, a CI timeout) ends a command the way Ctrl-C does:
one line, locks released, `finally` blocks run; exit 143. Before the fix it died at once
with exit 143 and no message."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from reliability import assert_exactly, error_lines, expected_chunk_ids, inspect_index, marker, run_cli, spawn_cli, wait_for, write_jsonl

pytestmark = pytest.mark.slow


def test_sigterm_during_index_then_the_next_run_finishes(tmp_path):
    rows = [{"id": f"r{i}", "title": f"Report {i}", "text": f"Officials met {i} residents about the new bridge."}
            for i in range(150)]
    corpus = write_jsonl(tmp_path / "corpus" / "rows.jsonl", rows).parent
    index_dir = tmp_path / "index"
    run = spawn_cli("index", corpus, "--index-dir", index_dir)
    wait_for(lambda: (marker(index_dir) or {}).get("pid") == run.pid, what="the run to start writing")
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 143, stderr
    assert error_lines(stderr) == ["error: interrupted (SIGTERM)"], stderr

    done = run_cli("index", "--index-dir", index_dir, "--json")  # not refused: the lock went with the process
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["chunks_total"] == len(rows)
    assert_exactly(inspect_index(index_dir), expected_chunk_ids(corpus), {row["id"] for row in rows})


def test_sigterm_ends_a_chat_waiting_for_input(seed_index):
    """The chat loop catches Ctrl-C to stop one answer and go on; SIGTERM must end it."""
    chat = spawn_cli("chat", "--llm", "none", "--index-dir", seed_index.index_dir, stdin=subprocess.PIPE)
    chat.stdin.write("Who claimed the Ahvaz attack?\n")
    chat.stdin.flush()
    wait_for(lambda: chat.stdout.readline().startswith("›"), timeout=120, what="the first answer")
    chat.send_signal(signal.SIGTERM)
    _, stderr = chat.communicate(timeout=60)
    assert chat.returncode == 143, stderr
    assert error_lines(stderr) == ["error: interrupted (SIGTERM)"], stderr
