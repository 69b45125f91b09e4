"""The overdue sweep: followed dossiers whose appointment in force passed without a result get
the apology. ``dossiers.apologised_for`` remembers the appointment apologised for, so a dossier
is swept once per appointment; the outbox's unique keys make two sweeping processes harmless.
The partial index ``ix_dossiers_open_due`` keeps this fast on millions of dossiers."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Dossier, Follower
from bot.notify.outbox import FACT_COLUMNS, add_notices, facts_of, followers_of
from bot.notify.rules import IN_PROGRESS, VIETNAM, Policy, apologies_for_late

BATCH = 1000


def overdue_query(now: datetime, limit: int = BATCH) -> object:
    """Followed, unfinished dossiers whose appointment day is over and not yet apologised for."""
    today = datetime.combine(now.astimezone(VIETNAM).date(), time(0), tzinfo=VIETNAM)
    due = func.coalesce(Dossier.new_appointment_at, Dossier.appointment_at)
    return (
        select(*FACT_COLUMNS)
        .where(
            Dossier.status.in_(sorted(IN_PROGRESS)),
            due < today,
            or_(Dossier.apologised_for.is_(None), Dossier.apologised_for != due),
            exists().where(Follower.dossier_id == Dossier.id),
        )
        .limit(limit)
    )


async def sweep_overdue(session: AsyncSession, policy: Policy, now: datetime) -> int:
    """Add the apologies due (in the caller's transaction); how many outbox rows were added."""
    added = 0
    while True:
        rows = list(await session.execute(overdue_query(now)))  # type: ignore[call-overload]
        if not rows:
            return added
        facts = [facts_of(row) for row in rows]
        followers = await followers_of(session, (f.dossier_id for f in facts))
        notices = [n for f in facts for n in apologies_for_late(f, followers.get(f.dossier_id, ()), policy, now)]
        added += await add_notices(session, notices, now)
        # One executemany (bulk UPDATE by primary key), not one round trip per dossier.
        await session.execute(update(Dossier), [{"id": f.dossier_id, "apologised_for": f.due} for f in facts])
        if len(rows) < BATCH:
            return added
