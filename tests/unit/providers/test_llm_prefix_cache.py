"""The local model's saved prompt prefix (llms/local.py): computed and saved once,
restored by the next server, and rebuilt when the saved file is unusable."""

import httpx
import pytest

from assistant.answer.prompts import answer_system
from assistant.providers.llms.local import LocalServer, resolve_model

pytestmark = pytest.mark.llm
SYSTEM = answer_system()


@pytest.fixture
def model(tmp_path, monkeypatch):
    path = resolve_model("")  # assembled in the real cache dir; only the KV files go to tmp_path
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(tmp_path))
    return path


def cached_tokens(server: LocalServer) -> int:
    """Prompt tokens llama.cpp took from its cache for a fresh answer-shaped request."""
    response = httpx.post(
        f"{server.base_url}/chat/completions",
        headers={"Authorization": f"Bearer {server.api_key}"},
        json={"messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Say OK."}],
              "max_tokens": 1, "temperature": 0},
        timeout=120,
    )
    response.raise_for_status()
    return response.json()["timings"]["cache_n"]


def test_the_prefix_is_saved_once_and_restored_by_the_next_server(model, tmp_path):
    kv = tmp_path / "kv"
    kv.mkdir()
    older_prompt = kv / f"{model.stem}-0123456789abcdef.bin"
    other_model = kv / f"{model.stem}-q8-0123456789abcdef.bin"
    older_prompt.write_bytes(b"x")
    other_model.write_bytes(b"x")
    first = LocalServer(model)
    first.prime(SYSTEM)
    assert not older_prompt.exists() and other_model.exists()  # one prefix per model, others untouched
    other_model.unlink()
    saved = list(kv.glob("*.bin"))
    assert len(saved) == 1 and saved[0].stat().st_size > 1_000_000
    mtime = saved[0].stat().st_mtime_ns
    del first

    second = LocalServer(model)
    second.prime(SYSTEM)
    assert saved[0].stat().st_mtime_ns == mtime  # restored, not recomputed...
    assert cached_tokens(second) > 100  # ...and llama.cpp reuses it: the prompt's prefix is not read again
    assert list((tmp_path / "kv").iterdir()) == saved  # no partial files left


def test_an_unusable_saved_prefix_is_rebuilt(model, tmp_path):
    LocalServer(model).prime(SYSTEM)
    (saved,) = (tmp_path / "kv").glob("*.bin")
    saved.write_bytes(b"not a llama.cpp state file" * 10)

    server = LocalServer(model)
    server.prime(SYSTEM)  # no error: the prefix is only a speed-up
    assert cached_tokens(server) > 100
    assert saved.stat().st_size > 1_000_000
