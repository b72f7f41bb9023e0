from datetime import date

from assistant.guards import names, stale
from assistant.retrieval import Passage


def passage(published):
    return Passage(id="x", source="s", title="t", published=published, url="", text="", chunk=0)


def test_names_skip_sentence_starts_and_possessives():
    assert names("Sanae Takaichi, a conservative, was elected. Which country?") == ["Takaichi"]
    assert names("Who fired UnitedHealthcare’s CEO in New York?") == ["UnitedHealthcare", "CEO", "New", "York"]
    assert names("who claimed it?") == []


def test_stale_needs_a_present_tense_cue_and_a_reference_date():
    old = [passage("2022-06-01")]
    assert stale("What happened this week?", old, date(2022, 7, 1)) is None  # 30 days: fresh enough
    assert "2022-06-01" in stale("What happened this week?", old, date(2023, 1, 1))
    assert stale("Which new rule was announced?", old, date(2023, 1, 1)) is not None
    assert stale("Which rule was announced in New York?", old, date(2023, 1, 1)) is None
    assert stale("What happened this week?", old, None) is None
    assert stale("What happened this week?", [passage("")], date(2023, 1, 1)) is None
