"""`--llm openai:MODEL` over real HTTP: `python -m assistant.providers.llms.serve` serving the small
local model, and tiny hand-written servers for the failures (a wrong key, an endpoint
that never answers, one that fails, one that dies in the middle of a streamed answer)."""

from __future__ import annotations

import json
import selectors
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import SEED_SOURCE, SEEDS
from reliability import error_lines, run_cli

QUESTION = "Who claimed the Ahvaz attack?"
SEED_TEXT = " ".join((SEEDS / SEED_SOURCE).read_text().split())


@pytest.fixture(scope="module")
def served():
    """The 0.5B model behind an OpenAI-compatible API, as a separate process."""
    process = subprocess.Popen([sys.executable, "-m", "assistant.providers.llms.serve", "--model", "0.5b"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=600), "the model server printed nothing in 600 s"
        info = json.loads(process.stdout.readline())
        yield info
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def endpoint_env(base_url: str, api_key: str = "unused", **extra) -> dict:
    return {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": api_key, **extra}


def ask(index_dir: Path, env: dict, *extra) -> subprocess.CompletedProcess:
    return run_cli("ask", QUESTION, "--llm", "openai:local", "--index-dir", index_dir, *extra, env=env, timeout=600)


def assert_verbatim_seed_citations(citations: list[dict]) -> None:
    assert citations and all(c["source"] == SEED_SOURCE for c in citations)
    for citation in citations:
        for piece in citation["quote"].split(" … "):
            assert piece and " ".join(piece.split()) in SEED_TEXT


# ---- the real model behind `python -m assistant.providers.llms.serve` --------------------------------

@pytest.mark.llm
def test_the_model_server_listens_on_loopback_only_and_wants_its_key(served):
    port = int(served["base_url"].rsplit(":", 1)[1].split("/")[0])
    assert served["base_url"] == f"http://127.0.0.1:{port}/v1"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if Path(table).exists():
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    listening.append(local.rsplit(":", 1)[0])
    assert listening == ["0100007F"]  # 127.0.0.1, and nothing on 0.0.0.0 or ::
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # no packet is sent
        probe.connect(("10.255.255.255", 9))
        own_address = probe.getsockname()[0]
    if not own_address.startswith("127."):
        with pytest.raises(OSError):
            socket.create_connection((own_address, port), timeout=5).close()

    def status(key: str | None, path: str = "/models", body: dict | None = None) -> int:
        request = urllib.request.Request(served["base_url"] + path, data=json.dumps(body).encode() if body else None,
                                         headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    chat = {"messages": [{"role": "user", "content": "Say yes."}], "max_tokens": 2}
    assert status(None) == 401 and status("wrong") == 401
    assert status(None, "/chat/completions", chat) == 401 and status(served["api_key"][:-1], "/chat/completions", chat) == 401
    assert status(served["api_key"]) == 200 and status(served["api_key"], "/chat/completions", chat) == 200


@pytest.mark.llm
def test_ask_through_an_openai_compatible_endpoint(seed_index, served):
    result = ask(seed_index.index_dir, endpoint_env(served["base_url"], served["api_key"]), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert not data["refused"] and data["answer"].strip()
    assert_verbatim_seed_citations(data["citations"])


@pytest.mark.llm
def test_chat_reads_questions_from_stdin_and_prints_streamed_answers(seed_index, served):
    result = run_cli("chat", "--llm", "openai:local", "--index-dir", seed_index.index_dir, timeout=600,
                     env=endpoint_env(served["base_url"], served["api_key"]), input=f"{QUESTION}\n/quit\nnever asked\n")
    assert result.returncode == 0, result.stderr
    assert "Sources" in result.stdout and "ISIS threatens Iran with more attacks" in result.stdout
    assert "error" not in result.stderr


@pytest.mark.llm
def test_a_wrong_key_is_one_clear_line(seed_index, served):
    result = ask(seed_index.index_dir, endpoint_env(served["base_url"], "not-the-key"))
    assert result.returncode == 6
    assert error_lines(result.stderr) == ["error: the LLM endpoint refused the API key (check OPENAI_API_KEY)"]


# ---- endpoints that misbehave ---------------------------------------------------------------

def _sse(content: str | None, finish: str | None = None) -> bytes:
    delta = {"role": "assistant", "content": content} if content is not None else {}
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


class FakeEndpoint(BaseHTTPRequestHandler):
    """Chat completions by script: `behaviours` is consumed one per request."""

    protocol_version = "HTTP/1.1"
    behaviours: list[str] = []
    requests: list[dict] = []

    def log_message(self, *args) -> None:
        pass

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        behaviour = type(self).behaviours.pop(0) if type(self).behaviours else "answer"
        if behaviour == "fail":
            payload = json.dumps({"error": {"message": "model crashed", "type": "server_error"}}).encode()
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if behaviour == "die":  # half an answer, then the process is gone
            self._chunk(_sse("The attack was claimed by "))
            time.sleep(0.2)
            self.connection.shutdown(socket.SHUT_RDWR)
            self.connection.close()
            self.close_connection = True
            return
        for word in ("ISIS ", "claimed ", "the ", "attack ", "[1]."):
            self._chunk(_sse(word))
        self._chunk(_sse(None, finish="stop"))
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")


@pytest.fixture
def fake_endpoint():
    FakeEndpoint.behaviours, FakeEndpoint.requests = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEndpoint)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", FakeEndpoint
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def silent_endpoint():
    """Accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held, stop = [], threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


@pytest.mark.slow
def test_an_endpoint_that_never_answers_times_out(seed_index, silent_endpoint):
    started = time.monotonic()
    result = ask(seed_index.index_dir, endpoint_env(silent_endpoint, ASSISTANT_LLM_TIMEOUT="1"))
    assert result.returncode == 6
    assert error_lines(result.stderr) == [
        "error: the LLM endpoint did not answer in time (ASSISTANT_LLM_TIMEOUT sets the limit)"]
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_an_unreachable_endpoint_and_a_failing_one(seed_index, fake_endpoint):
    closed = run_cli("ask", QUESTION, "--llm", "openai:m", "--index-dir", seed_index.index_dir,
                     env=endpoint_env("http://127.0.0.1:9/v1"))
    assert closed.returncode == 6
    [line] = error_lines(closed.stderr)
    assert line.startswith("error: cannot reach the LLM endpoint")

    url, endpoint = fake_endpoint
    endpoint.behaviours = ["fail", "fail"]  # the client retries once
    failed = ask(seed_index.index_dir, endpoint_env(url))
    assert failed.returncode == 6
    [line] = error_lines(failed.stderr)
    assert line.startswith("error: the LLM endpoint failed with HTTP 500")


@pytest.mark.slow
def test_an_answer_cut_off_mid_stream_is_an_error_and_chat_goes_on(seed_index, fake_endpoint):
    url, endpoint = fake_endpoint
    endpoint.behaviours = ["die"]
    cut = ask(seed_index.index_dir, endpoint_env(url))
    assert cut.returncode == 6 and endpoint.requests[-1]["stream"] is True
    [line] = error_lines(cut.stderr)
    assert line.startswith("error: the LLM endpoint broke off the answer")
    assert "claimed by" not in cut.stdout  # the half answer is not passed off as an answer

    endpoint.behaviours = ["die", "answer"]
    chat = run_cli("chat", "--llm", "openai:m", "--index-dir", seed_index.index_dir, env=endpoint_env(url),
                   input=f"{QUESTION}\nWhich group claimed the Ahvaz attack?\n", timeout=300)
    assert chat.returncode == 6, chat.stderr  # the session went on, and the script is told one question failed
    [line] = error_lines(chat.stderr)
    assert line.startswith("error: the LLM endpoint broke off the answer")
    assert "ISIS claimed the attack [1]." in chat.stdout and "Sources" in chat.stdout
    assert len(endpoint.requests) == 3
