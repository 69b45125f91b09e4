"""What officers follow up by hand: citizens' feedback and ratings, and the notices that could
not be delivered (outside the platform's window, the user unreachable, refused) — whom to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Dossier, FeedbackMessage, OutboxMessage, Rating

UNREACHED = ("undeliverable", "failed")


@dataclass(frozen=True)
class Item:
    """A rating or a feedback message, as the feedback page lists them."""

    kind: str  # "rating" | "feedback"
    id: int
    at: datetime
    platform: str
    text: str
    score: int | None
    code: str | None  # the dossier rated, if any
    handled_at: datetime | None
    handled_by: str | None


async def feedback_items(db: AsyncSession, limit: int = 200) -> list[Item]:
    """Ratings with a comment or a score of 1–2, and feedback messages; newest first."""
    ratings = await db.execute(
        select(Rating, Dossier.code)
        .outerjoin(Dossier, Dossier.id == Rating.dossier_id)
        .where((Rating.comment.is_not(None)) | (Rating.score <= 2))
        .order_by(Rating.created_at.desc())
        .limit(limit)
    )
    items = [
        Item("rating", r.id, r.created_at, r.platform, r.comment or "", r.score, code, r.handled_at, r.handled_by) for r, code in ratings
    ]
    messages = await db.scalars(select(FeedbackMessage).order_by(FeedbackMessage.created_at.desc()).limit(limit))
    items += [Item("feedback", m.id, m.created_at, m.platform, m.text, None, None, m.handled_at, m.handled_by) for m in messages]
    return sorted(items, key=lambda item: item.at, reverse=True)[:limit]


async def mark_handled(db: AsyncSession, kind: str, item_id: int, username: str, now: datetime) -> bool:
    row: Rating | FeedbackMessage | None = await db.get(Rating, item_id) if kind == "rating" else await db.get(FeedbackMessage, item_id)
    if row is None:
        return False
    if row.handled_at is None:
        row.handled_at, row.handled_by = now, username
    return True


async def unreached(db: AsyncSession, limit: int = 200) -> list[tuple[OutboxMessage, str | None]]:
    """Notices not delivered and not yet called about, oldest first, with their dossier's code."""
    rows = await db.execute(
        select(OutboxMessage, Dossier.code)
        .outerjoin(Dossier, Dossier.id == OutboxMessage.dossier_id)
        .where(OutboxMessage.state.in_(UNREACHED), OutboxMessage.called_at.is_(None))
        .order_by(OutboxMessage.created_at)
        .limit(limit)
    )
    return [(notice, code) for notice, code in rows]


async def notice_with_phone(db: AsyncSession, notice_id: int) -> tuple[OutboxMessage, Dossier | None] | None:
    notice = await db.get(OutboxMessage, notice_id)
    if notice is None or notice.state not in UNREACHED:
        return None
    return notice, (await db.get(Dossier, notice.dossier_id) if notice.dossier_id is not None else None)


def mark_called(notice: OutboxMessage, username: str, now: datetime) -> None:
    if notice.called_at is None:
        notice.called_at, notice.called_by = now, username
