"""Stopping the local model mid-answer (answer/streaming.py `stream_until`) stops llama.cpp
itself: checked on the server's own counters, with the real model."""

import httpx
import pytest

from assistant.answer.streaming import stream_until
from assistant.providers.llms import get_chat_model
from assistant.providers.llms.local import server_for

pytestmark = pytest.mark.llm
PROMPT = [("human", "Count from 1 to 300, one number per line, and nothing else.")]


class After:
    def __init__(self, pieces: int) -> None:
        self.left = pieces

    def feed(self, piece: str) -> bool:
        self.left -= 1
        return self.left <= 0


def counters(server) -> dict[str, float]:
    client = httpx.Client(base_url=server.server.listening_address, timeout=120,
                          headers={"Authorization": f"Bearer {server.api_key}"})
    while any(slot.get("is_processing") for slot in client.get("/slots").json()):
        pass  # a cancelled task is released at the next token it would have sent
    lines = client.get("/metrics").text.splitlines()
    return {name: float(value) for name, value in (line.rsplit(" ", 1) for line in lines if line and not line.startswith("#"))}


def test_a_stopped_answer_stops_the_server_generating():
    llm = get_chat_model("local")
    server = server_for(llm)
    before = counters(server)
    pieces = list(stream_until(llm, PROMPT, After(6)))
    after = counters(server)
    assert len(pieces) == 6
    passes = after["llamacpp:n_decode_total"] - before["llamacpp:n_decode_total"]
    # One pass reads the prompt, one per token after it: a handful, not the 320-token limit.
    assert passes < 20, passes
    # And the server is free at once: the next answer is not queued behind the abandoned one.
    whole = "".join(stream_until(llm, [("human", "Say OK.")], After(1000)))
    assert whole.strip() and counters(server)["llamacpp:n_decode_total"] - after["llamacpp:n_decode_total"] < 20
