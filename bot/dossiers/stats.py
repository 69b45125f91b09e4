"""The monthly public report: received, resolved on time / early / overdue, online, satisfaction.

Counting rules (../shared/domain/procedures-and-dossiers.md), with calendar dates in Vietnam:
- received: dossiers received in the period, except those never accepted (status 1 new
  online registrations not yet received, 3 not accepted);
- resolved: of those, the ones finished (status 9 or 10) by the end of the period; finish date
  before the appointment date → early, equal → on time, after → overdue;
- unresolved overdue: received, not finished by the end, appointment date passed (as of the
  end, or today for a period not over yet); those awaiting supplements (5), withdrawn (7) or
  stopped (8) are counted apart, not as overdue;
- online: received through online public services (channel truc_tuyen);
- ratings: satisfaction ratings given in the period (1–5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dossiers.periods import previous_month
from bot.dossiers.records import CHANNELS, FINISHED, VIETNAM
from bot.formatting import vn_date, vn_number, vn_percent
from bot.models import Dossier, Rating
from bot.texts import vi

NOT_RECEIVED = frozenset({1, 3})
APART = frozenset({5, 7, 8})


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    agency: str | None
    received: int
    resolved: int
    on_time: int
    early: int
    overdue: int
    unresolved_overdue: int
    online: int
    awaiting_supplement: int
    stopped_or_withdrawn: int
    ratings: int
    rating_avg: float | None

    @property
    def on_time_or_early_pct(self) -> float | None:
        return round(100 * (self.on_time + self.early) / self.resolved, 2) if self.resolved else None

    @property
    def overdue_pct(self) -> float | None:
        return round(100 * self.overdue / self.resolved, 2) if self.resolved else None

    @property
    def online_pct(self) -> float | None:
        return round(100 * self.online / self.received, 2) if self.received else None

    def to_json(self) -> dict[str, Any]:
        """The keys the issue fixes for ``python -m bot stats --json``."""
        return {
            "received": self.received,
            "resolved": self.resolved,
            "on_time": self.on_time,
            "early": self.early,
            "overdue": self.overdue,
            "on_time_or_early_pct": self.on_time_or_early_pct,
            "unresolved_overdue": self.unresolved_overdue,
            "online": self.online,
            "online_pct": self.online_pct,
            "ratings": self.ratings,
            "rating_avg": self.rating_avg,
        }


RESOLVED = frozenset({"on_time", "early", "overdue"})
LATE = frozenset({"overdue", "unresolved_overdue"})


def outcome(status: int, appointment_at: datetime | None, finished_at: datetime | None, end: date, as_of: date) -> str:
    """Where a received dossier counts at the end of a period: on_time, early, overdue (resolved),
    apart5 (awaiting supplements), apart78 (withdrawn, stopped), unresolved_overdue, or open."""
    appointment, finished = _local_day(appointment_at), _local_day(finished_at)
    if status in FINISHED and finished is not None and finished <= end:
        if appointment is None or finished == appointment:
            return "on_time"  # no appointment date: nothing to be late against
        return "early" if finished < appointment else "overdue"
    if status == 5:
        return "apart5"
    if status in APART:
        return "apart78"
    return "unresolved_overdue" if appointment is not None and appointment < as_of else "open"


def days_late(appointment_at: datetime | None, finished_at: datetime | None, end: date, as_of: date) -> int:
    """Calendar days past the appointment date: to the finish, or to ``as_of`` when not finished by ``end``."""
    appointment, finished = _local_day(appointment_at), _local_day(finished_at)
    if appointment is None:
        return 0
    stop = finished if finished is not None and finished <= end else as_of
    return max((stop - appointment).days, 0)


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(VIETNAM).date() if moment is not None else None


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(0), VIETNAM), datetime.combine(end + timedelta(days=1), time(0), VIETNAM)


async def compute(session: AsyncSession, start: date, end: date, agency: str | None, today: date) -> Report:
    if end < start:
        raise ValueError("the end of the period is before its start")
    low, high = bounds(start, end)
    query = select(Dossier.status, Dossier.channel, Dossier.appointment_at, Dossier.finished_at).where(
        Dossier.received_at >= low, Dossier.received_at < high, Dossier.status.not_in(NOT_RECEIVED)
    )
    if agency:
        query = query.where(Dossier.agency_code == agency)
    as_of = min(end, today)
    counts = dict.fromkeys(("received", "resolved", "on_time", "early", "overdue", "unresolved_overdue", "online", "apart5", "apart78"), 0)
    for status, channel, appointment_at, finished_at in await session.execute(query):
        counts["received"] += 1
        counts["online"] += channel == CHANNELS["truc_tuyen"]
        result = outcome(status, appointment_at, finished_at, end, as_of)
        counts["resolved"] += result in RESOLVED
        if result != "open":
            counts[result] += 1
    ratings = select(func.count(Rating.id), func.avg(Rating.score)).where(Rating.created_at >= low, Rating.created_at < high)
    if agency:
        ratings = ratings.where(Rating.agency_code == agency)
    rated, average = (await session.execute(ratings)).one()
    return Report(
        start, end, agency,
        counts["received"], counts["resolved"], counts["on_time"], counts["early"], counts["overdue"],
        counts["unresolved_overdue"], counts["online"], counts["apart5"], counts["apart78"],
        int(rated or 0), round(float(average), 2) if average is not None else None,
    )  # fmt: skip


def render(report: Report, agency_name: str) -> str:
    """The report in Vietnamese, numbers as Vietnamese write them (8.525; 98,79 %)."""
    where = {"agency": agency_name, "start": vn_date(report.start), "end": vn_date(report.end)}
    if report.received == 0:
        return vi.STATS_EMPTY.format(**where)

    def pct(value: float | None) -> str:
        return vn_percent(value) if value is not None else vi.NOT_APPLICABLE

    ratings = (
        vi.STATS_RATINGS.format(count=vn_number(report.ratings), average=f"{report.rating_avg:.2f}".replace(".", ","))
        if report.ratings and report.rating_avg is not None
        else vi.STATS_NO_RATINGS
    )
    numbers = {
        key: vn_number(getattr(report, key))
        for key in ("received", "online", "resolved", "on_time", "early", "overdue", "unresolved_overdue", "awaiting_supplement")
    }
    return vi.STATS.format(
        **where,
        **numbers,
        stopped_or_withdrawn=vn_number(report.stopped_or_withdrawn),
        online_pct=pct(report.online_pct),
        on_time_or_early_pct=pct(report.on_time_or_early_pct),
        overdue_pct=pct(report.overdue_pct),
        ratings=ratings,
    )


class LastMonth:
    """Last month's report for the chat, computed at most every ``every`` per process: a question
    about statistics must not cost a scan of a month's dossiers each time it is asked."""

    def __init__(self, agency: str, every: timedelta = timedelta(minutes=5)) -> None:
        self._agency = agency
        self._every = every
        self._cached: tuple[datetime, Report] | None = None

    async def report(self, session: AsyncSession, now: datetime) -> Report:
        today = now.astimezone(VIETNAM).date()
        start, end = previous_month(today)
        cached = self._cached
        if cached is None or now - cached[0] >= self._every or (cached[1].start, cached[1].end) != (start, end):
            cached = self._cached = (now, await compute(session, start, end, self._agency, today))
        return cached[1]
