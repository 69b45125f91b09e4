"""Satisfaction ratings (1–5, with an optional comment) and feedback messages, kept for officers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue.payloads import make_payload
from bot.messages import Button
from bot.models import Dossier, FeedbackMessage, Rating
from bot.texts import vi

RATE_INTENT = "rate"
MAX_TEXT = 2000


def rating_buttons(code: str | None = None) -> tuple[Button, ...]:
    extra = {"code": code} if code else {}
    # In score order: on platforms without buttons "3" typed is the score 3.
    return tuple(Button(vi.RATING_LABELS[score], make_payload(RATE_INTENT, score=str(score), **extra)) for score in range(1, 6))


def parse_score(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and 1 <= int(raw) <= 5 else None


async def add_rating(
    session: AsyncSession, score: int, dossier: Dossier | None, agency_code: str, platform: str, user_id: str, now: datetime
) -> int:
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


async def add_comment(session: AsyncSession, rating_id: int, text: str) -> bool:
    rating = await session.get(Rating, rating_id)
    if rating is None:
        return False
    rating.comment = text[:MAX_TEXT]
    return True


async def add_feedback(session: AsyncSession, platform: str, user_id: str, text: str, now: datetime) -> None:
    session.add(FeedbackMessage(platform=platform, user_id=user_id, text=text[:MAX_TEXT], created_at=now))
