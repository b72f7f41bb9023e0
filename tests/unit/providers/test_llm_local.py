"""End to end on the real local model (the README's default). Slow: about a minute."""

import json

import pytest
from conftest import SEED_SOURCE, SEEDS
from typer.testing import CliRunner

from assistant.answer.chain import Answerer
from assistant.providers.llms import get_chat_model
from assistant.retrieve.retriever import Retriever
from assistant.types import Refusal, Turn
from assistant.ui.cli import app

pytestmark = pytest.mark.llm
ARTICLE = (SEEDS / SEED_SOURCE).read_text()


@pytest.fixture(scope="module")
def answerer(seed_index, embeddings):
    return Answerer(Retriever(seed_index, embeddings), get_chat_model("local"))


def test_who_claimed_the_attack_cli_json(seed_index):
    result = CliRunner().invoke(app, ["ask", "Who claimed the Ahvaz attack?", "--json", "--index-dir", str(seed_index.index_dir)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert not data["refused"]
    assert "isis" in data["answer"].lower() or "islamic state" in data["answer"].lower()
    assert data["citations"] and all(c["source"] == SEED_SOURCE for c in data["citations"])
    for citation in data["citations"]:
        for piece in citation["quote"].split(" … "):
            assert piece and piece in ARTICLE  # verbatim
    assert any("claim" in c["quote"] for c in data["citations"])


def test_unrelated_question_is_refused(answerer):
    answer = answerer.ask("Who won the 2018 World Cup?")
    assert answer.refused and answer.citations == []


def test_follow_up_uses_the_conversation(answerer):
    first = answerer.ask("Who claimed the Ahvaz attack?")
    follow = answerer.ask("How many people did it kill?", history=[Turn(first.question, first.answer)])
    # "it" must have been resolved from the conversation, whichever way the model words it.
    assert follow.standalone != follow.question
    assert any(word in follow.standalone.lower() for word in ("ahvaz", "ahwaz", "attack", "isis", "islamic state"))
    assert "24" in follow.answer or "25" in follow.answer
    assert follow.citations and all(c.source == SEED_SOURCE for c in follow.citations)


def test_what_someone_said_is_answered_with_their_own_words(answerer):
    answer = answerer.ask("What did Pompeo say about Zarif?")
    text = answer.answer.lower()
    assert not answer.refused, answer.answer
    assert "enormous mistake" in text or "own people secure" in text, answer.answer  # Pompeo's words...
    assert "terror sponsors" not in text  # ...not Zarif's, which the model once put in his mouth
    assert any("Pompeo" in c.speaker for c in answer.citations)


def test_according_to_khamenei_gets_khamenei_not_rouhani(answerer):
    answer = answerer.ask("According to Khamenei, who funds the attackers?")
    assert not answer.refused, answer.answer
    assert "saudi" in answer.answer.lower() and "gulf states" not in answer.answer.lower()  # the Gulf states were Rouhani's


def test_a_claim_put_in_the_wrong_mouth_is_refused_saying_who_made_it(answerer):
    answer = answerer.ask("According to Pompeo, who funded the attackers?")
    assert answer.refused and answer.refused_by == Refusal.MISATTRIBUTED
    assert "Khamenei" in answer.answer or "Rouhani" in answer.answer
    assert answer.citations and all(c.source == SEED_SOURCE for c in answer.citations)
