"""Reporting periods in calendar dates: months and quarters, as the public report counts them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
MAX_MONTHS = 36  # a trend longer than three years is not one page


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str  # "month", "quarter" or "range"

    @property
    def key(self) -> str:
        """``2023-03`` or ``2023-Q1`` (what ``/report?period=`` takes), else the two dates."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def previous(self) -> Period:
        before = self.start - timedelta(days=1)
        return quarter_of(before) if self.kind == "quarter" else month_of(before)


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    return Period(first, _next_month(first) - timedelta(days=1), "month")


def quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(first, _next_month(_next_month(_next_month(first))) - timedelta(days=1), "quarter")


def months_back(day: date, count: int) -> date:
    """The first day of the month ``count - 1`` months before ``day``'s: ``count`` calendar months
    ending with ``day``'s month start there (a trend of the last six or twelve months)."""
    first = month_of(day).start
    for _ in range(count - 1):
        first = month_of(first - timedelta(days=1)).start
    return first


def previous_month(today: date) -> tuple[date, date]:
    """The last full month before ``today``: what a monthly public report covers."""
    period = month_of(today).previous()
    return period.start, period.end


def parse_period(raw: str) -> Period:
    """``2023-03`` (a month) or ``2023-Q1`` (a quarter); ValueError with a reason otherwise."""
    text = raw.strip()
    if found := _MONTH.match(text):
        year, month = int(found.group(1)), int(found.group(2))
        if not 1 <= month <= 12 or year < 2000:
            raise ValueError(f"{raw!r} is not a month (YYYY-MM)")
        return month_of(date(year, month, 1))
    if found := _QUARTER.match(text):
        year = int(found.group(1))
        if year < 2000:
            raise ValueError(f"{raw!r} is not a quarter (YYYY-Qn)")
        return quarter_of(date(year, 3 * (int(found.group(2)) - 1) + 1, 1))
    raise ValueError(f"{raw!r} is neither a month (YYYY-MM) nor a quarter (YYYY-Qn)")


def months(start: date, end: date) -> list[Period]:
    """The calendar months from ``start`` to ``end``, the first and last cut to the range."""
    if end < start:
        raise ValueError("the end of the period is before its start")
    found: list[Period] = []
    month = month_of(start)
    while month.start <= end:
        found.append(Period(max(month.start, start), min(month.end, end), "month"))
        month = month_of(month.end + timedelta(days=1))
    if len(found) > MAX_MONTHS:
        raise ValueError(f"the period spans {len(found)} months; at most {MAX_MONTHS} are shown at once")
    return found


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)
