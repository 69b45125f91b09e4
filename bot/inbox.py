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
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import metrics
from bot.db import SessionFactory
from bot.delivery import FAILED, LOST, RETRY, SENT, UNDELIVERABLE, UNREACHABLE, Delivery, LeasedRows, Outcome, Outgoing
from bot.dialogue.turn import Clock, Dialogue
from bot.dossiers import access
from bot.messages import Button, InboundMessage, Reply
from bot.models import Contact, InboxEvent
from bot.texts import vi
from connectors.base import FOLLOW, UNFOLLOW, UNSUPPORTED, InboundEvent

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BATCH = 100
CONCURRENCY = 32  # users answered at once by one worker (one turn per user at a time)
ACTIVE = ("new", "answered")
FINAL = {SENT: "sent", FAILED: "failed", UNDELIVERABLE: "dropped", UNREACHABLE: "dropped"}


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def store(session: AsyncSession, events: Sequence[InboundEvent], now: datetime) -> list[tuple[str, str]]:
    """Insert the events not seen before; the platform and kind of each new one."""
    if not events:
        return []
    rows = [
        {"platform": e.platform, "message_id": e.message_id[:191], "user_id": e.user_id[:128], "kind": e.kind, "text": e.text,
         "state": "new", "attempts": 0, "parts_sent": 0, "due_at": now, "received_at": now}
        for e in events
    ]  # fmt: skip
    # One cached statement with the rows as parameters (not a new multi-row VALUES statement to
    # compile per request); RETURNING names the new rows (a redelivery returns nothing).
    insert = _insert(session)(InboxEvent).on_conflict_do_nothing(index_elements=["platform", "message_id"])
    statement = insert.returning(InboxEvent.platform, InboxEvent.kind)
    return [(platform, kind) for platform, kind in (await session.execute(statement, rows)).all()]


async def touch_contacts(session: AsyncSession, users: set[tuple[str, str]], now: datetime) -> None:
    """The users wrote just now: the platforms' windows restart, and they are reachable again."""
    if not users:
        return
    rows = [{"platform": p, "user_id": u, "last_inbound_at": now, "opted_out": False, "created_at": now} for p, u in sorted(users)]
    statement = _insert(session)(Contact)
    statement = statement.on_conflict_do_update(
        index_elements=["platform", "user_id"],
        set_={"last_inbound_at": statement.excluded.last_inbound_at, "unreachable_at": None, "unreachable_reason": None},
    )
    await session.execute(statement, rows)


def _to_json(replies: list[Reply]) -> list[dict[str, Any]]:
    return [{"text": r.text, "buttons": [{"title": b.title, "payload": b.payload} for b in r.buttons]} for r in replies]


def _from_json(data: list[Any]) -> list[Reply]:
    return [Reply(r["text"], tuple(Button(b["title"], b["payload"]) for b in r.get("buttons", []))) for r in data]


class InboxWorker:
    """Answers stored events: several users at once, each user's events one at a time in order
    (also across processes: only a user's oldest unfinished event can be claimed)."""

    def __init__(self, sessions: SessionFactory, dialogue: Dialogue, delivery: Delivery, clock: Clock) -> None:
        self._sessions = sessions
        self._dialogue = dialogue
        self._delivery = delivery
        self._clock = clock
        self._rows = LeasedRows(sessions, InboxEvent, ACTIVE, FINAL, clock, forget=("replies",))
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Finish the events in hand, then return from :meth:`run` (cancelling a task in the
        middle of a database call can leave the connection pool unable to close)."""
        self._stopping = True
        self._wake.set()

    async def run(self, idle: float = 1.0) -> None:
        """Process due events until stopped; a webhook's :meth:`wake` cuts the wait short."""
        while not self._stopping:
            try:
                handled = await self.process_due()
            except Exception:  # the worker must outlive a bad row or a database hiccup
                log.exception("inbox worker pass failed")
                handled = 0
            if handled:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=idle)
            self._wake.clear()

    async def _heads(self) -> list[int]:
        """Due events that are their user's oldest unfinished one, oldest first."""
        earlier = aliased(InboxEvent)
        blocked = exists().where(
            and_(
                earlier.platform == InboxEvent.platform,
                earlier.user_id == InboxEvent.user_id,
                earlier.state.in_(ACTIVE),
                earlier.id < InboxEvent.id,
            )
        )
        query = select(InboxEvent.id).where(InboxEvent.state.in_(ACTIVE), InboxEvent.due_at <= self._clock(), ~blocked)
        async with self._sessions() as session:
            return list(await session.scalars(query.order_by(InboxEvent.id).limit(BATCH)))

    async def process_due(self) -> int:
        """Answer and send every due event, several users at once; how many were handled."""
        handled = 0
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(row_id: int) -> None:
            async with limit:
                if not self._stopping:
                    await self._handle(row_id)

        while not self._stopping:
            ids = await self._heads()
            await asyncio.gather(*(one(row_id) for row_id in ids))
            handled += len(ids)
            if len(ids) < BATCH:
                break
        return handled

    async def _handle(self, row_id: int) -> None:
        token = await self._rows.claim(row_id)
        if token is None:
            return  # another worker has it
        try:
            await self._answer_and_send(row_id, token)
        except Exception as exc:  # counted as an attempt: no row is retried forever
            log.exception("inbox event %s: unexpected error", row_id)
            async with self._sessions() as session:
                attempts = await session.scalar(select(InboxEvent.attempts).where(InboxEvent.id == row_id)) or 0
            await self._rows.finish(row_id, token, Outcome(RETRY, f"unexpected {type(exc).__name__}"), attempts, MAX_ATTEMPTS)

    async def _answer_and_send(self, row_id: int, token: str) -> None:
        async with self._sessions() as session:
            row = await session.get(InboxEvent, row_id)
        if row is None:
            return
        replies = _from_json(row.replies or [])
        if row.state == "new":
            try:
                replies = await self._answer(InboundEvent(row.platform, row.message_id, row.user_id, row.kind, row.text))
            except Exception:
                log.exception("inbox event %s: the dialogue failed", row_id)
                await self._rows.finish(row_id, token, Outcome(FAILED, "dialogue error"), row.attempts, MAX_ATTEMPTS)
                return
            if not await self._rows.update_if_ours(row_id, token, state="answered", replies=_to_json(replies)):
                return
        outcome = Outcome(SENT)
        if replies:
            message = Outgoing(row.platform, row.user_id, replies)
            outcome = await self._delivery.deliver(message, row.parts_sent, self._rows.progress(row_id, token))
        if outcome.state not in {SENT, RETRY, LOST}:
            log.warning("inbox event %s: not sent (%s)", row_id, outcome.reason)
        await self._rows.finish(row_id, token, outcome, row.attempts, MAX_ATTEMPTS)

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


class Acceptor:
    """What the webhooks call: store the events, then wake the worker. A group commit: requests
    that arrive while a commit is under way are stored together in the next transaction, so
    a burst costs a few commits, not one each. Each request returns (and its webhook answers
    200) only after the commit holding its events; a failed commit fails every request in it
    (the platforms redeliver)."""

    def __init__(self, sessions: SessionFactory, wake: Callable[[], None], clock: Clock) -> None:
        self._sessions = sessions
        self._wake = wake
        self._clock = clock
        self._waiting: list[tuple[list[InboundEvent], asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def accept(self, events: list[InboundEvent]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # Read by the request if it still waits; marked read here for one that hung up, so that a
        # failed commit is not also reported as "Future exception was never retrieved".
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        self._waiting.append((events, future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                stored = [event for events, _ in batch for event in events]
                now = self._clock()
                async with self._sessions() as session, session.begin():
                    new = await store(session, stored, now)
                    # The platforms' windows restart at the user's message (one statement per commit).
                    await touch_contacts(session, {(e.platform, e.user_id[:128]) for e in stored if e.kind != UNFOLLOW}, now)
            except Exception as exc:  # noqa: BLE001 - every request of the batch fails: none was stored
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for platform, kind in new:
                metrics.INBOUND.labels(platform, kind).inc()
            for _, future in batch:
                if not future.done():
                    future.set_result(None)
            self._wake()
