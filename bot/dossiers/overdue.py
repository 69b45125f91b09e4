"""The dossiers of a period that were or are late, with how late and why (by category).

The same rules as the report's counts (bot/dossiers/stats.py ``outcome``): the list of a period
has exactly ``overdue + unresolved_overdue`` entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dossiers.delay_reasons import category
from bot.dossiers.records import VIETNAM
from bot.dossiers.stats import LATE, NOT_RECEIVED, bounds, days_late, outcome
from bot.models import Dossier

MAX_LISTED = 5000


@dataclass(frozen=True)
class Late:
    code: str
    procedure_code: str | None
    agency_code: str | None
    received: date | None
    appointment: date | None
    finished: date | None  # None: not finished by the end of the period
    days_late: int
    reason: str | None  # the officer's words: for the staff console only
    reason_category: str

    @property
    def public_code(self) -> str:
        """The code without its serial number ("000.00.31.H26-230428-…"): the office and the day, not the person."""
        head, _, _ = self.code.rpartition("-")
        return f"{head}-…" if head else "…"


async def late_dossiers(session: AsyncSession, start: date, end: date, agency: str | None, today: date) -> list[Late]:
    """Most days late first; at most :data:`MAX_LISTED`."""
    low, high = bounds(start, end)
    query = select(
        Dossier.code, Dossier.procedure_code, Dossier.agency_code, Dossier.status, Dossier.received_at,
        Dossier.appointment_at, Dossier.finished_at, Dossier.delay_reason,
    ).where(Dossier.received_at >= low, Dossier.received_at < high, Dossier.status.not_in(NOT_RECEIVED))  # fmt: skip
    if agency:
        query = query.where(Dossier.agency_code == agency)
    as_of = min(end, today)
    found = []
    for row in await session.execute(query):
        result = outcome(row.status, row.appointment_at, row.finished_at, end, as_of)
        if result not in LATE:
            continue
        finished = _day(row.finished_at) if result == "overdue" else None
        found.append(
            Late(
                row.code,
                row.procedure_code,
                row.agency_code,
                _day(row.received_at),
                _day(row.appointment_at),
                finished,
                days_late(row.appointment_at, row.finished_at, end, as_of),
                row.delay_reason,
                category(row.delay_reason),
            )
        )
    found.sort(key=lambda late: (-late.days_late, late.code))
    return found[:MAX_LISTED]


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(VIETNAM).date() if moment is not None else None
