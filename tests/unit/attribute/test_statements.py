"""`assistant quotes`: who said what about a topic, over the real seed index (no model)."""

import json

from typer.testing import CliRunner

from assistant.ui.cli import app

# The attribution issue's list: each statement of the seed and who made it.
SEED_STATEMENTS = {"spider's web": "ISIS", "fearful shock": "Abu Hassan al-Muhajir", "cowardly act": "Ayatollah Ali Khamenei",
                   "from the Gulf states": "Hassan Rouhani", "terror sponsors": "Mohammad Javad Zarif",
                   "an enormous mistake": "Mike Pompeo"}


def run_quotes(seed_index, *args):
    result = CliRunner().invoke(app, ["quotes", *args, "--index-dir", str(seed_index.index_dir), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_quotes_attributes_each_seed_statement_and_points_into_the_article(seed_index):
    from conftest import SEEDS

    from assistant.ingest.problems import Problems
    from assistant.ingest.readers import read_articles

    text = next(read_articles(SEEDS, Problems())).text  # what the indexer reads, as `assistant extract` shows it
    found = run_quotes(seed_index, "Ahvaz attack")
    assert found["topic"] == "Ahvaz attack"
    by_speaker = {s["speaker"]: s for s in found["speakers"]}
    for words, speaker in SEED_STATEMENTS.items():
        holder = next(s for s in found["speakers"] for st in s["statements"] if words in st["quote"])
        assert speaker in (holder["speaker"], *holder["also"]), words
    for speech in found["speakers"]:
        for statement in speech["statements"]:
            assert set(statement) == {"quote", "source", "chunk_id", "title", "published", "start", "end"}
            # Offsets index the article's text as the reader gives it (its title line is not part of it).
            assert " ".join(text[statement["start"]:statement["end"]].split()) == " ".join(statement["quote"].split())
    # One person under several names is one speaker.
    assert "Khamenei" in by_speaker["Ayatollah Ali Khamenei"]["also"]
    assert len(by_speaker["Ayatollah Ali Khamenei"]["statements"]) == 1  # its two sentences, next to each other, are one


def test_quotes_of_one_speaker(seed_index):
    found = run_quotes(seed_index, "Ahvaz attack", "--speaker", "Pompeo")
    assert [s["speaker"] for s in found["speakers"]] == ["Mike Pompeo"]
    assert "enormous mistake" in found["speakers"][0]["statements"][0]["quote"]
    assert run_quotes(seed_index, "Ahvaz attack", "--speaker", "Nobody Atall")["speakers"] == []
