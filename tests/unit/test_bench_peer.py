"""The peer section's summary and report on rows shaped as its worker writes them: a
crash here loses a whole benchmark run at its end (it did once, on a percentile)."""

import sys

import pytest

from assistant.config import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
peer = pytest.importorskip("peer")


def _row(qid, qset, ours_s, plain_s, gold=None, first=None):
    row = {"id": qid, "set": qset, "answerable": gold is not None, "follow_up": False}
    row["ours"] = {"answer": "a", "total_s": ours_s, "first_token_s": first, "evidence_s": 0.05}
    row["plain"] = {"answer": "b", "total_s": plain_s, "first_token_s": first and first * 2}
    if gold is not None:
        row["ours"]["contains_gold"], row["plain"]["contains_gold"] = gold
    return row


def test_summary_and_report_of_a_small_run():
    rows = [_row("s1", "seeds", 4.0, 10.0, (True, False), 2.0), _row("s2", "seeds", 6.0, 10.0, first=3.0),
            _row("r1", "rtqa-dev", 0.5, 12.0, (False, True))]  # r1: refused before any token
    summary = peer.summarise(rows)
    assert summary["all"]["ours"]["answer_p50_s"] == 4.0
    assert summary["all"]["ours"]["answer_p95_s"] == pytest.approx(5.8)
    assert summary["seeds"]["answer_p50_ratio"] == 0.5
    assert summary["rtqa-dev"]["ours"]["first_token_p50_s"] is None
    assert summary["all"]["ours"]["contains_gold"] == 0.5
    lines = peer.markdown_g({"summary": summary, "rows": rows, "speculation": "off"}, {})
    assert any("0.5×" in line for line in lines)
