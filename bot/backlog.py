"""How much waits in the inbox and the outbox, and for how long: the metrics' gauges and the
backlog alert read it from the database (every process sees the same rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import InboxEvent, OutboxMessage

# Each queue: its table, its due-time column, and which rows wait.
QUEUES = {
    "inbox": (InboxEvent, InboxEvent.due_at, InboxEvent.state.in_(("new", "answered"))),
    "outbox": (OutboxMessage, OutboxMessage.due_at, OutboxMessage.state == "pending"),
}


@dataclass(frozen=True)
class Backlog:
    waiting: int  # due now or later
    oldest_due_seconds: float  # how long the oldest due row has waited; 0 when none is due


async def read_backlog(session: AsyncSession, now: datetime) -> dict[str, Backlog]:
    found = {}
    for queue, (table, due_at, waiting) in QUEUES.items():
        count = await session.scalar(select(func.count()).select_from(table).where(waiting)) or 0
        oldest = await session.scalar(select(func.min(due_at)).where(waiting, due_at <= now))
        found[queue] = Backlog(int(count), max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0)
    return found
