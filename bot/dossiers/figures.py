"""The figures of a period for the dashboard and the public report: the whole period as
``bot stats`` counts it, each calendar month of it, and its late dossiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dossiers.overdue import Late, late_dossiers
from bot.dossiers.periods import months
from bot.dossiers.stats import Report, compute


@dataclass(frozen=True)
class Figures:
    total: Report
    months: list[Report]  # one per calendar month of the period, cut to it
    late: list[Late]


async def figures(session: AsyncSession, start: date, end: date, agency: str | None, today: date) -> Figures:
    """ValueError for a period that ends before it starts or spans too many months."""
    spans = months(start, end)
    total = await compute(session, start, end, agency, today)
    monthly = [total] if len(spans) == 1 else [await compute(session, m.start, m.end, agency, today) for m in spans]
    return Figures(total, monthly, await late_dossiers(session, start, end, agency, today))
