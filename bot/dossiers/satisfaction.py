"""Satisfaction ratings (1–5, with an optional comment) and feedback messages, kept for officers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Dossier, FeedbackMessage, OutboxMessage, Rating

MAX_TEXT = 2000


async def add_rating(
    session: AsyncSession, score: int, dossier: Dossier | None, agency_code: str, platform: str, user_id: str, now: datetime
) -> int:
    """Record a rating; about a dossier, one per dossier and user (a second one replaces the score)."""
    if dossier is not None:
        query = select(Rating).where(Rating.dossier_id == dossier.id, Rating.platform == platform, Rating.user_id == user_id)
        existing = await session.scalar(query.limit(1))
        if existing is not None:
            existing.score, existing.created_at = score, now
            return existing.id
    rating = Rating(
        dossier_id=dossier.id if dossier else None,
        agency_code=dossier.agency_code if dossier and dossier.agency_code else agency_code,
        platform=platform,
        user_id=user_id,
        score=score,
        created_at=now,
    )
    session.add(rating)
    await session.flush()
    return rating.id


async def rescore(session: AsyncSession, rating_id: int, score: int, now: datetime) -> bool:
    rating = await session.get(Rating, rating_id)
    if rating is None:
        return False
    rating.score, rating.created_at = score, now
    return True


async def add_comment(session: AsyncSession, rating_id: int, text: str) -> bool:
    rating = await session.get(Rating, rating_id)
    if rating is None:
        return False
    rating.comment = text[:MAX_TEXT]
    return True


async def add_feedback(session: AsyncSession, platform: str, user_id: str, text: str, now: datetime) -> None:
    session.add(FeedbackMessage(platform=platform, user_id=user_id, text=text[:MAX_TEXT], created_at=now))


SURVEY_ANSWER_WINDOW = timedelta(days=7)


async def surveyed_code(session: AsyncSession, platform: str, user_id: str, now: datetime) -> str | None:
    """The dossier of the satisfaction question last sent to this user and not yet answered:
    on Zalo the choices are numbered lines, so a bare "4" a day later is its answer."""
    query = (
        select(Dossier.code, Dossier.id)
        .join(OutboxMessage, OutboxMessage.dossier_id == Dossier.id)
        .where(
            OutboxMessage.platform == platform,
            OutboxMessage.user_id == user_id,
            OutboxMessage.kind == "survey",
            OutboxMessage.state == "sent",
            OutboxMessage.done_at > now - SURVEY_ANSWER_WINDOW,
        )
        .order_by(OutboxMessage.done_at.desc())
        .limit(1)
    )
    found = (await session.execute(query)).first()
    if found is None:
        return None
    rated = select(Rating.id).where(Rating.dossier_id == found.id, Rating.platform == platform, Rating.user_id == user_id)
    return None if await session.scalar(rated.limit(1)) is not None else str(found.code)
