"""The durable inbox: store platform events, answer them once, send the replies reliably.

The webhook stores every event (a redelivered one is ignored by its unique platform
message id) and answers 200 only after the commit; the worker then runs the dialogue turn
once per event, keeps the replies in the row, and sends them. A failed send is retried with
backoff and jitter (the turn is not run again); a final failure is recorded with its reason.
A crash anywhere loses nothing: rows still ``new`` or ``answered`` are picked up on start.
Events of one user are handled in the order received.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import SessionFactory
from bot.dialogue.turn import Clock, Dialogue
from bot.dossiers import access
from bot.messages import Button, InboundMessage, Reply
from bot.models import InboxEvent
from bot.texts import vi
from connectors.base import FOLLOW, UNFOLLOW, UNSUPPORTED, InboundEvent, RetryLaterError, Sender, SendError

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
BATCH = 50


async def store(session: AsyncSession, events: Sequence[InboundEvent], now: datetime) -> int:
    """Insert the events not seen before; how many were new."""
    if not events:
        return 0
    rows = [
        {"platform": e.platform, "message_id": e.message_id[:191], "user_id": e.user_id[:128], "kind": e.kind, "text": e.text,
         "state": "new", "attempts": 0, "due_at": now, "received_at": now}
        for e in events
    ]  # fmt: skip
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(InboxEvent).values(rows).on_conflict_do_nothing(index_elements=["platform", "message_id"])
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _to_json(replies: list[Reply]) -> list[dict[str, Any]]:
    return [{"text": r.text, "buttons": [{"title": b.title, "payload": b.payload} for b in r.buttons]} for r in replies]


def _from_json(data: list[Any]) -> list[Reply]:
    return [Reply(r["text"], tuple(Button(b["title"], b["payload"]) for b in r.get("buttons", []))) for r in data]


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 … seconds (at most 10 minutes), with up to 50 % jitter so retries spread out."""
    base = min(2**attempts, 600)
    return timedelta(seconds=base * (1 + random.random() / 2))


class InboxWorker:
    def __init__(self, sessions: SessionFactory, dialogue: Dialogue, senders: Mapping[str, Sender], clock: Clock) -> None:
        self._sessions = sessions
        self._dialogue = dialogue
        self._senders = senders
        self._clock = clock
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the event in hand, then return from :meth:`run` (cancelling a task in the
        middle of a database call can leave the connection pool unable to close)."""
        self._stopping = True
        self._wake.set()

    async def run(self, idle: float = 1.0) -> None:
        """Process due events until stopped; a webhook's :meth:`wake` cuts the wait short."""
        while not self._stopping:
            try:
                await self.process_due()
            except Exception:  # the worker must outlive a bad row or a database hiccup
                log.exception("inbox worker pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle)
            self._wake.clear()

    async def process_due(self) -> int:
        """Answer and send every due event, oldest first; how many were handled."""
        handled = 0
        while True:
            async with self._sessions() as session:
                query = select(InboxEvent.id).where(InboxEvent.state.in_(("new", "answered")), InboxEvent.due_at <= self._clock())
                ids = list(await session.scalars(query.order_by(InboxEvent.id).limit(BATCH)))
            for row_id in ids:
                if self._stopping:
                    return handled
                await self._handle(row_id)
            handled += len(ids)
            if len(ids) < BATCH:
                return handled

    async def _handle(self, row_id: int) -> None:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            # A lease: whoever moves due_at forward owns the row for LEASE; a crash lets it expire.
            claimed = await session.execute(
                update(InboxEvent)
                .where(InboxEvent.id == row_id, InboxEvent.state.in_(("new", "answered")), InboxEvent.due_at <= now)
                .values(due_at=now + LEASE)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return  # another worker has it
            row = await session.get(InboxEvent, row_id)
            if row is None:
                return
            platform, user_id, state = row.platform, row.user_id, row.state
            replies = _from_json(row.replies or [])
            event = InboundEvent(platform, row.message_id, user_id, row.kind, row.text)
        if state == "new":
            try:
                replies = await self._answer(event)
            except Exception:
                log.exception("inbox event %s: the dialogue failed", row_id)
                await self._finish(row_id, "failed", "dialogue error")
                return
            async with self._sessions() as session, session.begin():
                await session.execute(update(InboxEvent).where(InboxEvent.id == row_id).values(state="answered", replies=_to_json(replies)))
        await self._send(row_id, platform, user_id, replies)

    async def _answer(self, event: InboundEvent) -> list[Reply]:
        if event.kind == FOLLOW:
            return [Reply(vi.WELCOME.format(agency=self._dialogue.catalogue.office.name))]
        if event.kind == UNFOLLOW:
            async with self._sessions() as session, session.begin():
                await access.unfollow(session, event.platform, event.user_id)
            return []
        if event.kind == UNSUPPORTED:
            return [Reply(vi.PLEASE_TYPE)]
        return await self._dialogue.handle(InboundMessage(event.platform, event.user_id, event.text))

    async def _send(self, row_id: int, platform: str, user_id: str, replies: list[Reply]) -> None:
        sender = self._senders.get(platform)
        if not replies:
            await self._finish(row_id, "sent", None)
            return
        if sender is None:
            await self._finish(row_id, "failed", f"{platform} is not configured")
            return
        try:
            await sender.send(user_id, replies)
        except RetryLaterError as exc:
            await self._retry(row_id, exc.reason)
            return
        except SendError as exc:
            log.warning("inbox event %s: not sent (%s)", row_id, exc.reason)
            await self._finish(row_id, "dropped", exc.reason)
            return
        await self._finish(row_id, "sent", None)

    async def _retry(self, row_id: int, reason: str) -> None:
        async with self._sessions() as session, session.begin():
            row = await session.get(InboxEvent, row_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = reason[:255]
            if row.attempts >= MAX_ATTEMPTS:
                row.state, row.done_at = "failed", self._clock()
                log.error("inbox event %s: giving up after %d attempts (%s)", row_id, row.attempts, reason)
            else:
                row.due_at = self._clock() + backoff(row.attempts)

    async def _finish(self, row_id: int, state: str, reason: str | None) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(InboxEvent).where(InboxEvent.id == row_id).values(state=state, done_at=self._clock(), last_error=reason)
            )
