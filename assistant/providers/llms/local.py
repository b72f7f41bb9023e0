"""A Qwen2.5 instruct GGUF run in this process by xllamacpp.

xllamacpp's server always listens on HTTP; it is bound to 127.0.0.1 on a random port
with a random API key, and we talk to it through the same OpenAI client as any remote
endpoint, so local and remote models share one code path (streaming included).

Two cores read a prompt at about 70 tokens/s, so the KV cache of the prefix every answer
starts with (chat template + system prompt, ~150 tokens) is saved to the user cache dir
once and restored by later processes: a one-shot `ask` then reads only its passages.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from ...config import cache_dir
from ...errors import UserError
from ..weights import MODELS, ensure_weights
from .openai import chat_openai

DEFAULT = "1.5b"
CONTEXT_TOKENS = 4096

_servers: dict[str, "LocalServer"] = {}


@dataclass(frozen=True)
class Speculation:
    """How llama.cpp drafts tokens that the model then checks in one batch. A drafted token
    is kept only where it is the token the model picks itself, so greedy answers stay the
    same; what changes is how many passes over the weights an answer takes.

    `ngram` is prompt lookup: after each token, the last `n` tokens are looked up in the
    prompt and the answer so far, and the `m` tokens that followed them there are the
    draft (a grounded answer copies names, numbers and phrases from its passages).
    `draft_model` ("0.5b", or a GGUF path of the same vocabulary) drafts instead with a
    smaller model, `draft_max` tokens at most, while it is at least `draft_p_min` sure."""

    ngram: tuple[int, int] | None = None
    draft_model: str = ""
    draft_max: int = 8
    draft_p_min: float = 0.75

    @classmethod
    def parse(cls, spec: str) -> "Speculation":
        """`off`, `ngram`, `ngram:N:M`, `draft`, `draft:N`, or two of them joined by `+`."""
        ngram: tuple[int, int] | None = None
        draft, draft_max = "", cls.draft_max
        for part in filter(None, (p.strip() for p in spec.lower().split("+"))):
            kind, *numbers = part.split(":")
            try:
                values = [int(n) for n in numbers]
            except ValueError:
                values = [-1]
            if kind == "off" and not numbers:
                continue
            if kind == "ngram" and len(values) in (0, 2) and all(v > 0 for v in values):
                ngram = (values[0], values[1]) if values else NGRAM
            elif kind == "draft" and len(values) in (0, 1) and all(v > 0 for v in values):
                draft, draft_max = DRAFT_MODEL, values[0] if values else cls.draft_max
            else:
                raise UserError(f"ASSISTANT_SPECULATIVE={spec!r}: use off, ngram, ngram:N:M, draft, draft:N or ngram+draft")
        return cls(ngram=ngram, draft_model=draft, draft_max=draft_max)

    def __str__(self) -> str:
        parts = [f"ngram:{self.ngram[0]}:{self.ngram[1]}"] if self.ngram else []
        if self.draft_model:
            parts.append(f"draft:{self.draft_max}")
        return "+".join(parts) or "off"

    def apply(self, params, draft_path: Path | None) -> None:
        """Set these choices on xllamacpp's CommonParams."""
        import xllamacpp as xlc

        kinds = xlc.common_speculative_type
        spec = params.speculative
        types = []
        if self.ngram:  # first: a prompt-lookup draft costs nothing to make, the model's is tried when it has none
            types.append(kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE)
            spec.ngram_simple.size_n, spec.ngram_simple.size_m = self.ngram
        if draft_path is not None:
            types.append(kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE)
            spec.draft.mparams.path = str(draft_path)
            spec.draft.n_max = self.draft_max
            spec.draft.p_min = self.draft_p_min
        spec.types = types or [kinds.COMMON_SPECULATIVE_TYPE_NONE]


NGRAM = (3, 8)
DRAFT_MODEL = "0.5b"


def speculation() -> Speculation:
    """The speculative decoding `ASSISTANT_SPECULATIVE` asks for (the default when unset)."""
    return Speculation.parse(os.environ.get("ASSISTANT_SPECULATIVE") or "off")


class LocalServer:
    def __init__(self, model_path: Path, context: int = CONTEXT_TOKENS, port: int = 0,
                 speculate: Speculation | None = None, warmup: bool = False, repack: bool = True) -> None:
        # No warm-up pass: the saved prefix is restored right after, and the first answer was
        # no slower without it (benchmarks/loading.py). Repacking the weights costs ~0.8 s of
        # load; its decoding gain was 14% in section i and none in a later A/B, so only a
        # one-shot answer skips it and the reports of chat/eval stay exact (README, "Speed").
        import xllamacpp as xlc

        self.speculation = speculation() if speculate is None else speculate
        draft = resolve_model(self.speculation.draft_model) if self.speculation.draft_model else None
        params = xlc.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = context
        params.n_parallel = 1
        params.hostnames = ["127.0.0.1"]
        params.port = port
        self.api_key = secrets.token_urlsafe(24)
        params.api_keys = [self.api_key]
        params.cache_ram_mib = 256
        params.endpoint_metrics = True  # /metrics (behind the key): tokens and passes, for benchmarks and tests
        params.verbosity = 3 if os.environ.get("ASSISTANT_DEBUG") else -1
        params.warmup = warmup
        params.no_extra_bufts = not repack
        self.speculation.apply(params, draft)
        self.kv_dir = cache_dir() / "kv"
        params.slot_save_path = str(self.kv_dir) + os.sep  # llama.cpp appends file names to it as a string
        self.params = params
        try:
            self.server = xlc.Server(params)
        except Exception as exc:
            raise UserError(f"cannot load the model {model_path}: {exc}") from exc
        self.model_path = model_path
        self.context = context
        self.base_url = self.server.listening_address + "/v1"
        self._primed: set[str] = set()

    def prime(self, system: str) -> None:
        """Put the prefix of prompts that start with `system` in the KV cache: restored
        from a file an earlier run saved, else computed now and saved. Only a speed-up,
        so any failure leaves the cache cold."""
        if system in self._primed:
            return
        self._primed.add(system)
        import httpx

        client = httpx.Client(base_url=self.server.listening_address, timeout=60,
                              headers={"Authorization": f"Bearer {self.api_key}"})
        try:
            marker = "\x00QUESTION"
            messages = [{"role": "system", "content": system}, {"role": "user", "content": marker}]
            prompt = client.post("/apply-template", json={"messages": messages}).raise_for_status().json()["prompt"]
            if marker not in prompt:
                return
            prefix = prompt.split(marker)[0]
            model = self.model_path.stat()
            stamp = "|".join(map(str, [self.model_path.name, model.st_size, model.st_mtime_ns, self.context,
                                       version("xllamacpp"), prefix]))
            name = f"{self.model_path.stem}-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.bin"
            if (self.kv_dir / name).is_file():
                if client.post("/slots/0?action=restore", json={"filename": name}).is_success:
                    return
                (self.kv_dir / name).unlink(missing_ok=True)
            client.post("/completion", json={"prompt": prefix, "n_predict": 0, "cache_prompt": True}).raise_for_status()
            self.kv_dir.mkdir(parents=True, exist_ok=True)
            # Saved under a temporary name and renamed, so another process never restores half a file.
            partial = f"{name}.{secrets.token_hex(4)}.part"
            try:
                client.post("/slots/0?action=save", json={"filename": partial}).raise_for_status()
                os.replace(self.kv_dir / partial, self.kv_dir / name)
            finally:
                (self.kv_dir / partial).unlink(missing_ok=True)
            # One saved prefix per model: the newest prompt's (and no parts of runs that died while saving).
            mine = re.compile(re.escape(self.model_path.stem) + r"-[0-9a-f]{16}\.bin(\.[0-9a-f]+\.part)?")
            for old in self.kv_dir.iterdir():
                stale = old.suffix == ".bin" or time.time() - old.stat().st_mtime > 600
                if old.name != name and mine.fullmatch(old.name) and stale:
                    old.unlink(missing_ok=True)
        except Exception:  # only a speed-up: a cold cache still gives the right answer
            pass
        finally:
            client.close()


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


def local_server(arg: str = "", on_progress: Callable[[int, int], None] | None = None, port: int = 0,
                 repack: bool = True) -> LocalServer:
    path = resolve_model(arg, on_progress)
    key = f"{path}:{port}:{repack}"
    if key not in _servers:
        _servers[key] = LocalServer(path, port=port, repack=repack)
    return _servers[key]


def server_for(llm) -> LocalServer | None:
    """The local server this process started behind `llm`, if any."""
    base_url = getattr(llm, "openai_api_base", None)
    return next((server for server in _servers.values() if server.base_url == base_url), None)


def local_chat_model(arg: str = "", on_progress: Callable[[int, int], None] | None = None, one_shot: bool = False):
    """A chat model on the local GGUF, served by a server in this process. For `one_shot`
    (a single answer, then exit) the weights are not repacked: that costs more start-up
    than its faster decoding wins back in one answer (README, "Speed")."""
    server = local_server(arg, on_progress, repack=not one_shot)
    return chat_openai("local", server.base_url, server.api_key)
