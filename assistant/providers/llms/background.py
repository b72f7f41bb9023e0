"""`assistant serve`: the local model kept loaded in a process of its own, which `ask` and
`chat` use instead of loading it themselves while it runs.

A one-shot `ask` otherwise spends seconds loading the model before it reads a word (see
README, "Speed"). The serving process loads it once, reads the answer prompt's fixed
prefix into its cache, and listens on 127.0.0.1 with a random key like the in-process
server. It registers itself in `DATA_DIR/serve/<model>.json` (readable by the user only:
it holds the key), and stops after some minutes without a request, removing the file.
A command finds it there, checks that the process is alive and answers with that key,
and talks to it through the same OpenAI-compatible client; when there is none, it loads
the model itself as before.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path
from typing import Callable

from ...config import data_dir

POLL_SECONDS = 5.0


def state_file(model_path: Path) -> Path:
    return data_dir() / "serve" / f"{model_path.stem}.json"


def running(model_path: Path) -> tuple[str, str] | None:
    """(base URL, API key) of a live `assistant serve` process for this model file, if any."""
    try:
        state = json.loads(state_file(model_path).read_text())
        if state.get("model") != str(model_path) or not _alive(int(state["pid"])):
            return None
        import httpx

        httpx.get(f"{state['address']}/health", headers={"Authorization": f"Bearer {state['api_key']}"},
                  timeout=2).raise_for_status()
        return state["base_url"], state["api_key"]
    except Exception:  # no file, a stale one, or a process that does not answer: load the model here
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def register(server) -> Path:
    """Write where `server` (a LocalServer) listens, for other commands; the user's eyes only."""
    path = state_file(server.model_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"pid": os.getpid(), "model": str(server.model_path), "base_url": server.base_url,
             "address": server.server.listening_address, "api_key": server.api_key,
             "speculation": str(server.speculation), "started": time.time()}
    partial = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(state, handle)
    os.replace(partial, path)
    return path


def unregister(path: Path) -> None:
    """Remove the registration, if it is still this process's."""
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def activity(server) -> tuple:
    """llama.cpp's request counters: they change whenever the server did any work."""
    import httpx

    text = httpx.get(f"{server.server.listening_address}/metrics", timeout=30,
                     headers={"Authorization": f"Bearer {server.api_key}"}).text
    wanted = ("llamacpp:prompt_tokens_total", "llamacpp:tokens_predicted_total", "llamacpp:requests_processing",
              "llamacpp:requests_deferred")
    return tuple(line for line in text.splitlines() if line.startswith(wanted))


def serve(arg: str, idle_minutes: float, on_ready: Callable[[object, Path], None] | None = None,
          stop: Callable[[], bool] = lambda: False) -> None:
    """Load the model `arg` names, prime its answer prefix, register, and serve until
    `idle_minutes` pass without a request (never when 0) or `stop()` says so."""
    from ...answer.prompts import answer_system
    from .local import local_server

    server = local_server(arg)
    server.prime(answer_system())
    path = register(server)
    try:
        if on_ready:
            on_ready(server, path)
        last, quiet_since = None, time.monotonic()
        while not stop():
            time.sleep(POLL_SECONDS)
            try:
                now = activity(server)
            except Exception:
                now = None
            if now != last or (now and any(not line.endswith(" 0") for line in now if "requests_" in line)):
                last, quiet_since = now, time.monotonic()
            elif idle_minutes and time.monotonic() - quiet_since >= idle_minutes * 60:
                return
    finally:
        unregister(path)
