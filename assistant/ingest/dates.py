"""Publication dates as articles, feeds and pages write them, as ISO days."""

from __future__ import annotations

import re
from datetime import date, datetime


def normalize_date(value: object) -> str:
    """The day an article was published, as its own timezone saw it: '2022-06-15T10:00Z',
    'June 15, 2022', 'Wed, 15 Jun 2022 23:30:00 -0700', '2022/06/15' -> '2022-06-15'.
    '31/12/2022' -> '2022-12-31'. Anything without a whole date, or with day and month in
    an ambiguous order ('06/07/2022'), -> ''."""
    if not isinstance(value, str):
        return ""
    if match := re.match(r"\s*(\d{4}-\d{2}-\d{2})", value):
        try:
            return date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            return ""
    if match := re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*", value):
        return _numeric_date(*map(int, match.groups()))
    if not (re.search(r"[A-Za-z]{3}", value) or re.match(r"\s*\d{4}\D", value)) or len(value) > 64:
        return ""
    from dateutil import parser

    try:  # parsed twice with different defaults, so a missing year, month or day shows
        # ignoretz: the day as written, and no warning about a zone dateutil does not know ("EDT")
        first, second = (parser.parse(value, default=datetime(2000, 1, 1), ignoretz=True),
                         parser.parse(value, default=datetime(2001, 2, 2), ignoretz=True))
    except (ValueError, OverflowError):
        return ""
    return first.date().isoformat() if first.date() == second.date() else ""


def _numeric_date(first: int, second: int, year: int) -> str:
    """'31/12/2022' and '12/31/2022' are the same day; '06/07/2022' could be either."""
    if first != second and first <= 12 and second <= 12:
        return ""
    month, day = (second, first) if first > 12 else (first, second)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""
