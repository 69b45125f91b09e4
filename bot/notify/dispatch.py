"""Sending due notices: claim a batch (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
processes share the work; SQLite has one writer at a time), hold everything during the quiet
hours, and send each through :mod:`bot.delivery` with the window rules of its platform.

A transient failure is retried with backoff for up to a day; a user who blocked the account,
left it or went inactive ends their follows (recorded on the contact and the row); a notice
that the window rules forbid and no template allows is left "undeliverable" for an officer
to call.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.records import AgencyRecord
from bot.db import SessionFactory
from bot.delivery import FAILED, LEASE, RETRY, SENT, UNDELIVERABLE, UNREACHABLE, Delivery, LeasedRows, Outcome, Outgoing
from bot.models import Contact, Dossier, Follower, OutboxMessage
from bot.notify import kinds
from bot.notify.render import ProcedureName, render, template_data
from bot.notify.rules import VIETNAM
from connectors.base import NOTICE, RESPONSE, Template

log = logging.getLogger(__name__)
ACTIVE = ("pending",)
FINAL = {SENT: "sent", FAILED: "failed", UNDELIVERABLE: "undeliverable", UNREACHABLE: "failed"}
GIVE_UP = timedelta(hours=24)  # transient failures are retried this long after the notice was made
MAX_ATTEMPTS = 40
BATCH = 200
CONCURRENCY = 32

QuietHours = tuple[time, time] | None


@dataclass(frozen=True)
class Claimed:
    """A claimed row with what sending it needs (read with the claim, for the whole batch)."""

    row: OutboxMessage
    phone: str | None
    last_inbound_at: datetime | None


def is_quiet(now: datetime, quiet: QuietHours) -> bool:
    """Whether ``now`` (any zone) falls in the quiet hours, read in Vietnam time."""
    if quiet is None:
        return False
    start, end = quiet
    local = now.astimezone(VIETNAM).time()
    return (start <= local or local < end) if start > end else (start <= local < end)


class Dispatcher:
    def __init__(
        self,
        sessions: SessionFactory,
        delivery: Delivery,
        office: AgencyRecord,
        procedure_name: ProcedureName,
        clock: Callable[[], datetime],
        quiet: QuietHours,
    ) -> None:
        self._sessions = sessions
        self._delivery = delivery
        self._office = office
        self._procedure_name = procedure_name
        self._clock = clock
        self._quiet = quiet
        self._rows = LeasedRows(sessions, OutboxMessage, ACTIVE, FINAL, clock)

    async def dispatch_due(self, limit: int | None = None) -> int:
        """Send the due notices, oldest first; how many were handled. In the quiet hours only an
        officer's conversation goes out (an answer the citizen waits for; notices wait for the
        morning). One lane per platform, so a slow or rate-limited platform (Zalo's few sends a
        second) does not hold back another's notices; a paused platform's notices wait in the
        table. ``limit``: at most this many per lane."""
        platforms = sorted(self._delivery.senders)
        lanes = [OutboxMessage.platform == p for p in platforms if self._delivery.paused_until(p) is None]
        lanes.append(OutboxMessage.platform.not_in(platforms))  # unknown platforms: failed with the reason
        return sum(await asyncio.gather(*(self._drain(lane, limit) for lane in lanes)))

    async def _drain(self, lane: ColumnElement[bool], limit: int | None) -> int:
        handled = 0
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(row: Claimed, token: str) -> None:
            async with gate:
                await self._send(row, token)

        while limit is None or handled < limit:
            now_lane = and_(lane, OutboxMessage.kind.in_(kinds.CONVERSATION)) if is_quiet(self._clock(), self._quiet) else lane
            claimed = await self._claim(BATCH if limit is None else min(BATCH, limit - handled), now_lane)
            if not claimed:
                break
            await asyncio.gather(*(one(row, token) for row, token in claimed))
            handled += len(claimed)
        return handled

    async def _claim(self, size: int, lane: ColumnElement[bool]) -> list[tuple[Claimed, str]]:
        now, token = self._clock(), secrets.token_hex(8)
        due = (OutboxMessage.state.in_(ACTIVE), OutboxMessage.due_at <= now, lane)
        async with self._sessions() as session, session.begin():
            candidates = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.due_at, OutboxMessage.id).limit(size)
            if session.get_bind().dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            # Chosen, then leased: PostgreSQL may run an ``IN (… LIMIT … FOR UPDATE)`` subquery
            # once per row of a nested loop, and then the LIMIT bounds nothing.
            chosen = list(await session.scalars(candidates))
            if not chosen:
                return []
            statement = (
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(chosen), *due)
                .values(due_at=now + LEASE, lease_token=token)
                .returning(OutboxMessage.id)
            )
            ids = sorted(await session.scalars(statement))
            if not ids:
                return []
            # Everything the sends need, for the whole batch at once: the rows are ours until the lease ends.
            rows = await session.execute(
                select(OutboxMessage, Dossier.applicant_phone, Contact.last_inbound_at)
                .outerjoin(Dossier, Dossier.id == OutboxMessage.dossier_id)
                .outerjoin(Contact, and_(Contact.platform == OutboxMessage.platform, Contact.user_id == OutboxMessage.user_id))
                .where(OutboxMessage.id.in_(ids))
                .order_by(OutboxMessage.id)
            )
            return [(Claimed(row, phone, last_inbound), token) for row, phone, last_inbound in rows]

    async def _send(self, claimed: Claimed, token: str) -> None:
        row = claimed.row
        try:
            await self._send_row(claimed, token)
        except Exception as exc:  # counted as an attempt: no row is retried forever
            log.exception("outbox %s: unexpected error", row.id)
            outcome = Outcome(RETRY, f"unexpected {type(exc).__name__}")
            await self._rows.finish(row.id, token, outcome, row.attempts, MAX_ATTEMPTS, give_up_at=row.created_at + GIVE_UP)

    async def _send_row(self, claimed: Claimed, token: str) -> None:
        row, phone, last_inbound = claimed.row, claimed.phone, claimed.last_inbound_at
        row_id = row.id
        try:
            replies = render(row.kind, row.data, self._office, self._procedure_name)
            data = template_data(row.kind, row.data, self._office, self._procedure_name)
        except (ValueError, KeyError, TypeError) as exc:
            log.error("outbox %s: cannot render a %s notice (%s)", row_id, row.kind, exc)
            await self._rows.finish(row_id, token, Outcome(FAILED, f"cannot render: {exc}"), row.attempts, MAX_ATTEMPTS)
            return
        if row.kind in kinds.CONVERSATION:  # an answer within the window, or undeliverable: no tag, no template
            message = Outgoing(row.platform, row.user_id, replies, RESPONSE, last_inbound, kind=row.kind)
        else:
            template = Template(row.kind, data, phone if row.platform == "zalo" else None, tracking_id=f"onestop-outbox-{row_id}")
            message = Outgoing(row.platform, row.user_id, replies, NOTICE, last_inbound, template, kind=row.kind)
        outcome = await self._delivery.deliver(message, row.parts_sent, self._rows.progress(row_id, token))
        if outcome.state == UNREACHABLE:
            await self._end_follows(row.platform, row.user_id, outcome.reason or "unreachable")
        if outcome.state in {UNDELIVERABLE, FAILED, UNREACHABLE}:
            log.warning("outbox %s (%s, %s): %s — %s", row_id, row.kind, row.platform, outcome.state, outcome.reason)
        await self._rows.finish(row_id, token, outcome, row.attempts, MAX_ATTEMPTS, give_up_at=row.created_at + GIVE_UP)

    async def _end_follows(self, platform: str, user_id: str, reason: str) -> None:
        """The user cannot be reached (blocked, left, inactive): their follows end, with the reason
        kept on the contact; their other pending notices are cancelled."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            await session.execute(delete(Follower).where(Follower.platform == platform, Follower.user_id == user_id))
            await _mark_unreachable(session, platform, user_id, reason, now)
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.platform == platform,
                    OutboxMessage.user_id == user_id,
                    OutboxMessage.state == "pending",
                    OutboxMessage.lease_token.is_(None),
                )
                .values(state="cancelled", done_at=now, last_error=f"user unreachable ({reason})"[:255])
            )
        log.info("follows ended for a %s user (%s)", platform, reason)


async def _mark_unreachable(session: AsyncSession, platform: str, user_id: str, reason: str, now: datetime) -> None:
    contact = await session.scalar(select(Contact).where(Contact.platform == platform, Contact.user_id == user_id))
    if contact is None:
        session.add(Contact(platform=platform, user_id=user_id, unreachable_at=now, unreachable_reason=reason[:255], created_at=now))
    else:
        contact.unreachable_at, contact.unreachable_reason = now, reason[:255]
