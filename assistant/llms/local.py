"""A Qwen2.5 instruct GGUF run in this process by xllamacpp.

xllamacpp's server always listens on HTTP; it is bound to 127.0.0.1 on a random port
with a random API key, and we talk to it through the same OpenAI client as any remote
endpoint, so local and remote models share one code path (streaming included).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable

from ..errors import UserError
from .openai import chat_openai
from .weights import MODELS, ensure_weights

DEFAULT = "1.5b"
CONTEXT_TOKENS = 4096

_servers: dict[str, "LocalServer"] = {}


class LocalServer:
    def __init__(self, model_path: Path, context: int = CONTEXT_TOKENS, port: int = 0) -> None:
        import xllamacpp as xlc

        params = xlc.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = context
        params.n_parallel = 1
        params.hostnames = ["127.0.0.1"]
        params.port = port
        self.api_key = secrets.token_urlsafe(24)
        params.api_keys = [self.api_key]
        params.cache_ram_mib = 256
        params.verbosity = 3 if os.environ.get("ASSISTANT_DEBUG") else -1
        try:
            self.server = xlc.Server(params)
        except Exception as exc:
            raise UserError(f"cannot load the model {model_path}: {exc}") from exc
        self.base_url = self.server.listening_address + "/v1"


def resolve_model(arg: str, on_progress: Callable[[int, int], None] | None = None) -> Path:
    if arg in ("", *MODELS):
        return ensure_weights(MODELS[arg or DEFAULT], on_progress)
    path = Path(arg).expanduser()
    if not path.is_file():
        raise UserError(f"no model file at {path}")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise UserError(f"{path} is not a GGUF model file")
    return path


def local_server(arg: str = "", on_progress: Callable[[int, int], None] | None = None, port: int = 0) -> LocalServer:
    path = resolve_model(arg, on_progress)
    key = f"{path}:{port}"
    if key not in _servers:
        _servers[key] = LocalServer(path, port=port)
    return _servers[key]


def local_chat_model(arg: str = "", on_progress: Callable[[int, int], None] | None = None):
    server = local_server(arg, on_progress)
    return chat_openai("local", server.base_url, server.api_key)
