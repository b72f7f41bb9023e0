"""`assistant serve` with the real model: a one-shot `ask` answers through it without loading
the model itself, and the serving process removes its registration when stopped (its idle
timer is tested without a model in tests/unit/providers/test_background_server.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.llm, pytest.mark.slow]


def test_ask_answers_through_a_running_serve_process(seed_index):
    serving = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--idle", "30", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready = json.loads(serving.stdout.readline())
        state = Path(ready["state"])
        assert state.exists()
        before = _predicted(ready["state"])
        ask = subprocess.Popen([sys.executable, "-m", "assistant", "ask", "Who claimed the Ahvaz attack?", "--json",
                                "--index-dir", str(seed_index.index_dir)], stdout=subprocess.PIPE, text=True)
        out = ask.stdout.read()
        _, status, _ = os.wait4(ask.pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        data = json.loads(out)
        assert not data["refused"] and ("isis" in data["answer"].lower() or "islamic state" in data["answer"].lower())
        assert _predicted(ready["state"]) > before  # the serving process wrote the answer, not a model loaded here
        serving.terminate()
        assert serving.wait(timeout=120) == 143  # SIGTERM ends it like Ctrl-C...
        assert not state.exists()  # ...and it is no longer offered to other commands
    finally:
        serving.kill()


def _predicted(state: str) -> float:
    """Tokens the serving process's llama.cpp has generated so far (its /metrics)."""
    import httpx

    found = json.loads(Path(state).read_text())
    text = httpx.get(f"{found['address']}/metrics", headers={"Authorization": f"Bearer {found['api_key']}"}, timeout=30).text
    return float(next(line.split()[-1] for line in text.splitlines() if line.startswith("llamacpp:tokens_predicted_total")))
