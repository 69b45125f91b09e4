"""Hand-offs: a conversation passed from the bot to an officer and back.

Opened by the dialogue (the citizen asked for a person, two misunderstandings in a row, a
rating of 1–2), on the platforms that can carry an officer's messages (Zalo, Messenger).
While an officer holds one, the bot stays silent for that user. What the officer and the
system say to the citizen goes through the outbox, so it is delivered once, in order, with
the platform's window rules (an officer cannot write after the window: the notice becomes
undeliverable and the citizen is to be called).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Handoff, InboxEvent, OutboxMessage, StaffAccount
from bot.notify import kinds

PLATFORMS = ("zalo", "facebook")  # the web chat and the console cannot receive an officer's message
HISTORY = timedelta(days=1)  # how far before the hand-off the officer sees the citizen's messages


def _key(platform: str, user_id: str) -> str:
    return f"{platform}:{user_id}"


async def open_handoff(db: AsyncSession, platform: str, user_id: str, reason: str, now: datetime) -> bool:
    """A new waiting hand-off; False when the user already has an open one (or cannot get one)."""
    if platform not in PLATFORMS:
        return False
    if await db.scalar(select(Handoff.id).where(Handoff.open_key == _key(platform, user_id))) is not None:
        return False
    try:
        async with db.begin_nested():
            key = _key(platform, user_id)
            db.add(Handoff(platform=platform, user_id=user_id, open_key=key, reason=reason, state="waiting", created_at=now))
    except IntegrityError:  # another process opened it a moment ago
        return False
    return True


async def held_by_officer(db: AsyncSession, platform: str, user_id: str) -> bool:
    query = select(Handoff.id).where(Handoff.open_key == _key(platform, user_id), Handoff.state == "taken")
    return await db.scalar(query) is not None


async def open_handoffs(db: AsyncSession) -> Sequence[tuple[Handoff, str | None]]:
    """Waiting and taken hand-offs, oldest first, with the holder's username."""
    query = select(Handoff, StaffAccount.username).outerjoin(StaffAccount, StaffAccount.id == Handoff.officer_id)
    rows = await db.execute(query.where(Handoff.open_key.is_not(None)).order_by(Handoff.created_at, Handoff.id))
    return [(handoff, username) for handoff, username in rows]


async def take(db: AsyncSession, handoff: Handoff, officer: StaffAccount, now: datetime) -> str | None:
    """ "taken" when this officer now holds it, "held" when they already did; None when it is
    closed or another officer holds it. One conditional UPDATE: two officers pressing "take"
    at once cannot both get it (nor both tell the citizen)."""
    if handoff.open_key is not None and handoff.state == "taken" and handoff.officer_id == officer.id:
        return "held"
    done = await db.execute(
        update(Handoff)
        .where(Handoff.id == handoff.id, Handoff.state == "waiting", Handoff.open_key.is_not(None))
        .values(state="taken", officer_id=officer.id, taken_at=now)
    )
    await db.refresh(handoff)
    return "taken" if done.rowcount == 1 else None  # type: ignore[attr-defined]


async def give_back(db: AsyncSession, handoff: Handoff, now: datetime) -> None:
    handoff.state, handoff.open_key, handoff.closed_at = "closed", None, now


async def say(db: AsyncSession, handoff: Handoff, kind: str, text: str, now: datetime) -> None:
    """A message to the citizen of ``handoff`` through the outbox (an officer's reply, joined, back)."""
    assert kind in kinds.CONVERSATION
    db.add(
        OutboxMessage(
            dedupe_key=f"{kind}:{handoff.id}:{secrets.token_hex(8)}",
            platform=handoff.platform,
            user_id=handoff.user_id,
            kind=kind,
            data={"text": text, "handoff": handoff.id},
            state="pending",
            due_at=now,
            created_at=now,
        )
    )


@dataclass(frozen=True)
class Line:
    at: datetime
    by: str  # "citizen", "officer" (and the system's joined/back messages)
    text: str
    state: str | None = None  # an outgoing message's delivery state


async def transcript(db: AsyncSession, handoff: Handoff) -> list[Line]:
    """The citizen's messages from a day before the hand-off, and what was sent them since.
    The bot's own answers are not kept (bot/inbox.py empties them once sent)."""
    since = handoff.created_at - HISTORY
    inbound = await db.scalars(
        select(InboxEvent).where(
            InboxEvent.platform == handoff.platform, InboxEvent.user_id == handoff.user_id, InboxEvent.received_at >= since
        )
    )
    outbound = await db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.platform == handoff.platform,
            OutboxMessage.user_id == handoff.user_id,
            OutboxMessage.kind.in_(kinds.CONVERSATION),
            OutboxMessage.created_at >= since,
        )
    )
    lines = [Line(e.received_at, "citizen", e.text) for e in inbound if e.text]
    lines += [Line(m.created_at, "officer", str(m.data.get("text", "")), m.state) for m in outbound]
    return sorted(lines, key=lambda line: line.at)
