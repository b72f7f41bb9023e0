"""`--embeddings openai:MODEL` against a real OpenAI-compatible /v1/embeddings endpoint:
llama.cpp (xllamacpp) serving the small Qwen GGUF in embedding mode on 127.0.0.1."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import SEED_SOURCE, SEEDS
from typer.testing import CliRunner

from assistant.providers.weights import MODELS, ensure_weights
from assistant.ui.cli import app

pytestmark = pytest.mark.slow

SERVER = """
import sys, threading, xllamacpp as xlc
params = xlc.CommonParams()
params.model.path = sys.argv[1]
params.n_ctx = 2048
params.hostnames = ["127.0.0.1"]
params.port = int(sys.argv[2])
params.embedding = True
params.pooling_type = xlc.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
params.verbosity = -1
server = xlc.Server(params)
print("ready", flush=True)
threading.Event().wait()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(ensure_weights(MODELS["0.5b"])), str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        url = f"http://127.0.0.1:{port}/v1"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.kill()
        process.wait()


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_index_and_search_with_remote_embeddings_then_refuse_a_mismatch(tmp_path, endpoint, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint)
    monkeypatch.setenv("OPENAI_API_KEY", "unused")
    index = tmp_path / "index"
    built = run("index", SEEDS, "--index-dir", index, "--embeddings", "openai:qwen", "--json")
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout)["chunks_embedded"] > 0

    found = run("search", "Who claimed the Ahvaz attack?", "--index-dir", index, "--embeddings", "openai:qwen", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["results"][0]["source"] == SEED_SOURCE

    # The default MiniLM model against this index: refused, never mixed.
    mixed = run("search", "Who claimed the Ahvaz attack?", "--index-dir", index)
    assert mixed.exit_code == 5 and "openai:qwen" in mixed.output and "--rebuild" in mixed.output
    again = run("index", SEEDS, "--index-dir", index, "--json")
    assert again.exit_code == 5

    # The endpoint gone: one clear line, exit 6, and the index still answers afterwards.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    down = run("search", "attack", "--index-dir", index, "--embeddings", "openai:qwen")
    assert down.exit_code == 6 and "embeddings endpoint failed" in down.output
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint)
    assert run("search", "attack", "--index-dir", index, "--embeddings", "openai:qwen").exit_code == 0
