"""Who may see and follow a dossier: confirmation by digits, rate limits, followers.

A code alone shows only the status. Knowing the last 4 digits of the phone or ID number
on the dossier proves a relation to it (the applicant, a relative, a helper holding the
receipt): that unlocks the details and following. Failed confirmations and lookups of
unknown codes count against a per-user limit, so that codes cannot be enumerated; the
dossiers a user looks up by code alone count too (a larger limit, distinct dossiers per
hour), so that walking the dense daily sequences of valid codes is slow as well; wrong
digits also count against the dossier, from every sender and platform together, so that a
new sender id per few guesses does not open 10,000 tries: after the day's limit the digits
path of that dossier is shut until the next day (Vietnam time). The receipt's signed QR and
an officer's ``follow`` do not use digits and still work.
"""

from __future__ import annotations

import hmac
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.formatting import VIETNAM
from bot.models import Dossier, Follower, LookupAttempt, Verification

LIMIT = 5
WINDOW = timedelta(minutes=15)
# Failed attempts from one network address (on the open channels) in the window: more than a
# user's, since one address may be a whole office or a mobile carrier's NAT.
CLIENT_LIMIT = 20
CLIENT = "client"  # the platform name under which an address's attempts are counted
# Wrong digits for one dossier in one day, from all senders together (DOSSIER_DIGITS_LIMIT).
DOSSIER_DIGITS_LIMIT = 10
WRONG_DIGITS = "wrong_digits"
# Failed lookups and confirmations per minute, from everyone, above which an operator is alerted:
# one ERROR line with a stable event name (``lookup_failures_spike``) at most once a minute.
FAILURES_ALERT = 100
RETURNED = 10  # the status after which the office asks how it went
# Distinct dossiers looked up by code alone (not yet confirmed by the user) per sender and per
# address in an hour: a citizen follows one or two, a helper at the counter a dozen.
LOOKUP = "lookup"  # the kind of those rows (counted apart from failures)
LOOKUP_WINDOW = timedelta(hours=1)
LOOKUP_LIMIT = 10
CLIENT_LOOKUP_LIMIT = 30
log = logging.getLogger(__name__)
_alerted_at: list[datetime] = []  # when this process last raised the alert


def _recent(platform: str, user_id: str, now: datetime) -> ColumnElement[bool]:
    """The user's (or address's) failures in the window."""
    return and_(
        LookupAttempt.platform == platform, LookupAttempt.user_id == user_id, LookupAttempt.at > now - WINDOW, LookupAttempt.kind != LOOKUP
    )


async def take_lookup(
    session: AsyncSession, platform: str, user_id: str, dossier: Dossier, now: datetime, client: str | None = None
) -> datetime | None:
    """Count a lookup of ``dossier`` by code alone; when the user (or address) may look up another
    one, if they already looked up too many distinct dossiers in the hour. Looking up the same
    dossier again is free."""
    counted = [(platform, user_id, LOOKUP_LIMIT)] + ([(CLIENT, client[:128], CLIENT_LOOKUP_LIMIT)] if client is not None else [])
    for kind, key, limit in counted:
        recent = and_(
            LookupAttempt.platform == kind,
            LookupAttempt.user_id == key,
            LookupAttempt.kind == LOOKUP,
            LookupAttempt.at > now - LOOKUP_WINDOW,
        )
        if await session.scalar(select(LookupAttempt.id).where(recent, LookupAttempt.dossier_id == dossier.id).limit(1)) is not None:
            continue
        count, oldest = (
            await session.execute(select(func.count(func.distinct(LookupAttempt.dossier_id)), func.min(LookupAttempt.at)).where(recent))
        ).one()
        if count >= limit and oldest is not None:
            return oldest + LOOKUP_WINDOW
    for kind, key, _ in counted:
        session.add(LookupAttempt(platform=kind, user_id=key, kind=LOOKUP, at=now, dossier_id=dossier.id))
    await session.flush()
    return None


async def blocked_until(session: AsyncSession, platform: str, user_id: str, now: datetime, client: str | None = None) -> datetime | None:
    """When the user may try again, if they — or their network address — used up the failed attempts."""
    counted = [(platform, user_id, LIMIT)] + ([(CLIENT, client, CLIENT_LIMIT)] if client is not None else [])
    for kind, key, limit in counted:
        query = select(func.count(LookupAttempt.id), func.min(LookupAttempt.at)).where(_recent(kind, key, now))
        count, oldest = (await session.execute(query)).one()
        if count >= limit and oldest is not None:
            return oldest + WINDOW
    return None


async def record_failure(
    session: AsyncSession,
    platform: str,
    user_id: str,
    kind: str,
    now: datetime,
    dossier_id: int | None = None,
    client: str | None = None,
) -> int:
    """Count a failed attempt (against the dossier and the address too when known); the user's attempts left."""
    session.add(LookupAttempt(platform=platform, user_id=user_id, kind=kind, at=now, dossier_id=dossier_id))
    if client is not None:
        session.add(LookupAttempt(platform=CLIENT, user_id=client[:128], kind=kind, at=now))
    await session.flush()
    await _alert_on_spike(session, now)
    used = await session.scalar(select(func.count(LookupAttempt.id)).where(_recent(platform, user_id, now)))
    return max(LIMIT - int(used or 0), 0)


async def _alert_on_spike(session: AsyncSession, now: datetime) -> None:
    """Log an alert when failures from everyone pass :data:`FAILURES_ALERT` in the last minute."""
    if _alerted_at and now - _alerted_at[-1] < timedelta(minutes=1):
        return
    last_minute = and_(LookupAttempt.platform != CLIENT, LookupAttempt.kind != LOOKUP, LookupAttempt.at > now - timedelta(minutes=1))
    query = select(func.count(LookupAttempt.id)).where(last_minute)
    count = int(await session.scalar(query) or 0)
    if count >= FAILURES_ALERT:
        _alerted_at[:] = [now]
        log.error(
            "alert=lookup_failures_spike: %d failed dossier lookups or confirmations in the last minute (alert at %d)",
            count,
            FAILURES_ALERT,
        )


def _day_start(now: datetime) -> datetime:
    """The start of ``now``'s day in Vietnam (when a dossier's digits path opens again)."""
    local = now.astimezone(VIETNAM)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


async def dossier_locked(session: AsyncSession, dossier: Dossier, limit: int, now: datetime) -> bool:
    """Whether today's wrong digits for ``dossier``, from anyone, reached ``limit``."""
    query = select(func.count(LookupAttempt.id)).where(
        LookupAttempt.dossier_id == dossier.id, LookupAttempt.kind == WRONG_DIGITS, LookupAttempt.at >= _day_start(now)
    )
    return int(await session.scalar(query) or 0) >= limit


def digits_match(dossier: Dossier, digits: str) -> bool:
    """Whether ``digits`` are the last 4 of the dossier's phone or ID number (constant time)."""
    found = False
    for number in (dossier.applicant_phone, dossier.applicant_id_number):
        if number and len(number) >= 4:
            found |= hmac.compare_digest(number[-4:].encode(), digits.encode())
    return found


async def is_verified(session: AsyncSession, dossier: Dossier, platform: str, user_id: str) -> bool:
    query = select(Verification.id).where(
        Verification.dossier_id == dossier.id, Verification.platform == platform, Verification.user_id == user_id
    )
    return await session.scalar(query) is not None


async def may_rate(session: AsyncSession, dossier: Dossier, platform: str, user_id: str) -> bool:
    """Whether the user is asked to rate ``dossier``: it was returned and they proved to know it or follow it."""
    if dossier.status != RETURNED:
        return False
    following = select(Follower.id).where(Follower.dossier_id == dossier.id, Follower.platform == platform, Follower.user_id == user_id)
    return await session.scalar(following) is not None or await is_verified(session, dossier, platform, user_id)


async def mark_verified(session: AsyncSession, dossier: Dossier, platform: str, user_id: str, now: datetime) -> None:
    if not await is_verified(session, dossier, platform, user_id):
        await _add(session, Verification(dossier_id=dossier.id, platform=platform, user_id=user_id, verified_at=now))


async def follow(session: AsyncSession, dossier: Dossier, platform: str, user_id: str, via: str, now: datetime) -> bool:
    """Make the user a follower; False when they already were."""
    query = select(Follower.id).where(Follower.dossier_id == dossier.id, Follower.platform == platform, Follower.user_id == user_id)
    if await session.scalar(query) is not None:
        return False
    return await _add(session, Follower(dossier_id=dossier.id, platform=platform, user_id=user_id, via=via, created_at=now))


async def unfollow(session: AsyncSession, platform: str, user_id: str, dossier: Dossier | None = None) -> int:
    """Stop notices for one dossier, or all of the user's; how many were stopped."""
    statement = delete(Follower).where(Follower.platform == platform, Follower.user_id == user_id)
    if dossier is not None:
        statement = statement.where(Follower.dossier_id == dossier.id)
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def followed_codes(session: AsyncSession, platform: str, user_id: str) -> list[str]:
    query = select(Dossier.code).join(Follower, Follower.dossier_id == Dossier.id)
    query = query.where(Follower.platform == platform, Follower.user_id == user_id)
    return list(await session.scalars(query.order_by(Dossier.code)))


async def _add(session: AsyncSession, row: Follower | Verification) -> bool:
    """Insert, tolerating a concurrent duplicate (the unique constraint decides)."""
    try:
        async with session.begin_nested():
            session.add(row)
        return True
    except IntegrityError:
        return False
