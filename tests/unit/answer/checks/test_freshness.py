from datetime import date

from assistant.answer.checks.freshness import stale
from assistant.types import Passage


def passage(published):
    return Passage(id="x", source="s", title="t", published=published, url="", text="", chunk=0)


def test_stale_needs_a_present_tense_cue_and_a_reference_date():
    old = [passage("2022-06-01")]
    assert stale("What happened this week?", old, date(2022, 7, 1)) is None  # 30 days: fresh enough
    assert "2022-06-01" in stale("What happened this week?", old, date(2023, 1, 1))
    assert stale("Which new rule was announced?", old, date(2023, 1, 1)) is not None
    assert stale("Which rule was announced in New York?", old, date(2023, 1, 1)) is None
    assert stale("What happened this week?", old, None) is None
    assert stale("What happened this week?", [passage("")], date(2023, 1, 1)) is None


def test_fresh_means_the_two_months_up_to_the_reference_date():
    from assistant.answer.checks.freshness import fresh

    day = date(2022, 7, 1)
    assert fresh(passage("2022-06-01"), day) and fresh(passage("2022-07-01"), day) and fresh(passage("2022-07-02"), day)
    assert not fresh(passage("2022-04-01"), day) and not fresh(passage("2022-07-05"), day) and not fresh(passage(""), day)
