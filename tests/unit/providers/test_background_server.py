"""`assistant serve` (llms/background.py): commands find a running model process by its
registration, and only when it is alive and answers with its key."""

import http.server
import json
import os
import stat
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.providers.llms import background, get_chat_model, local


@pytest.fixture
def health():
    """A stand-in for the serving process: /health answers 200 to the right key only."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ok = self.path == "/health" and self.headers.get("Authorization") == "Bearer the-key"
            self.send_response(200 if ok else 401)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def registered(address: str, model: Path, key: str = "the-key") -> Path:
    server = SimpleNamespace(model_path=model, base_url=f"{address}/v1", api_key=key, speculation="off",
                             server=SimpleNamespace(listening_address=address))
    return background.register(server)


def test_a_live_server_with_its_key_is_found_and_nothing_else(health, tmp_path):
    model = tmp_path / "m.gguf"
    assert background.running(model) is None  # nothing registered
    path = registered(health, model)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the key
    assert background.running(model) == (f"{health}/v1", "the-key")
    assert background.running(tmp_path / "other.gguf") is None
    registered(health, model, key="a-wrong-key")
    assert background.running(model) is None  # answers, but not to this key
    state = json.loads(path.read_text())
    path.write_text(json.dumps({**state, "api_key": "the-key", "pid": 2**22 + 12345}))
    assert background.running(model) is None  # its process is gone
    path.write_text(json.dumps({**state, "api_key": "the-key", "pid": os.getpid()}))
    background.unregister(path)
    assert not path.exists()


def test_the_chat_model_goes_to_the_running_server_without_loading(monkeypatch, tmp_path):
    monkeypatch.setattr(local, "resolve_model", lambda arg, on_progress=None: tmp_path / "m.gguf")
    monkeypatch.setattr(background, "running", lambda path: ("http://127.0.0.1:9/v1", "k"))
    monkeypatch.setattr(local, "local_server", lambda *a, **k: pytest.fail("the model was loaded in-process"))
    assert get_chat_model("local").openai_api_base == "http://127.0.0.1:9/v1"


def test_the_server_stops_after_its_idle_minutes_and_not_while_used(monkeypatch, tmp_path):
    server = SimpleNamespace(model_path=tmp_path / "m.gguf", base_url="http://127.0.0.1:9/v1", api_key="k",
                             speculation="off", server=SimpleNamespace(listening_address="http://127.0.0.1:9"),
                             prime=lambda system: None)
    monkeypatch.setattr(local, "local_server", lambda arg: server)
    monkeypatch.setattr(background, "POLL_SECONDS", 0.001)
    polls = []

    def busy(_):  # llama.cpp's counters move at every poll: someone is asking
        polls.append(1)
        return (f"llamacpp:tokens_predicted_total {len(polls)}",)

    monkeypatch.setattr(background, "activity", busy)
    registrations = []
    background.serve("", idle_minutes=0.0001, on_ready=lambda s, path: registrations.append(path), stop=lambda: len(polls) >= 200)
    assert len(polls) >= 200  # never idle: it ran until told to stop
    assert not registrations[0].exists()  # and no longer offers itself

    monkeypatch.setattr(background, "activity", lambda _: ("llamacpp:tokens_predicted_total 7",))
    background.serve("", idle_minutes=0.0001, on_ready=lambda s, path: registrations.append(path))  # returns once idle
    assert not registrations[1].exists()
