"""Sending through a connector, one path for replies (inbox), notices (outbox) and, next,
officers' messages: leases, parts, window rules, retries, pauses and a rate limit.

A row (inbox event or outbox notice) is *leased*: whoever moves its ``due_at`` forward and
writes its ``lease_token`` owns it until the lease ends; a crash lets it expire and another
worker takes over. Each part the platform accepted is recorded (``parts_sent``) before the
next is sent, so a retry never resends a delivered part; recording and finishing check the
lease is still ours. A platform call cannot be in one transaction with our commit: the only
window for a duplicate is a crash between the platform's acceptance of a part and the commit
that records it (Zalo's ``tracking_id`` closes it for template messages).
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, update

from bot import metrics
from bot.db import SessionFactory
from bot.messages import Reply
from connectors.base import (
    HTTP_TIMEOUT,
    RESPONSE,
    BadRequestError,
    OutsideWindowError,
    RetryLaterError,
    Sender,
    Template,
    TokenExpiredError,
    UnreachableError,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
LEASE = timedelta(minutes=2)
RENEW_AFTER = LEASE / 4  # a rate-limit wait longer than this renews the lease before sending
PAUSE = timedelta(minutes=5)  # a dead token: try again this much later (an administrator may fix it)
assert HTTP_TIMEOUT * 3 < LEASE, "a platform call must end well within a lease"

# What happened to a message; the row's table decides which state each becomes.
SENT = "sent"
RETRY = "retry"  # transient: back off and try again
PAUSED = "paused"  # the platform cannot send now (dead token): wait, no attempt counted
UNDELIVERABLE = "undeliverable"  # outside the window with no allowed fallback
UNREACHABLE = "unreachable"  # blocked, left, inactive: final, the follow ends
FAILED = "failed"  # refused by the platform, or not configured: final
LOST = "lost"  # our lease expired meanwhile: another worker owns the row now


@dataclass(frozen=True)
class Outcome:
    state: str
    reason: str | None = None
    via: str | None = None
    retry_at: datetime | None = None
    parts_sent: int | None = None  # SENT: every part went out; recorded by the finish (no progress write for the last part)


@dataclass(frozen=True)
class Outgoing:
    platform: str
    user_id: str
    replies: list[Reply]
    purpose: str = RESPONSE  # RESPONSE (an answer) or NOTICE (the bot starts)
    last_inbound_at: datetime | None = None  # for the window rules of notices and officers' messages
    template: Template | None = None  # the fallback after the window, when configured
    kind: str = "reply"  # what it is, for the metrics: "reply", or the outbox's kind (a notice, an officer's message)


class _LeaseLostError(Exception):
    pass


# Records progress: the number of parts now sent, and the route; False when the lease is lost.
Progress = Callable[[int], Awaitable[bool]]


class RateLimit:
    """At most ``rate`` sends per platform in any one second (per process), spread evenly:
    slots ``1/rate`` apart, as a token bucket; and, because a busy event loop wakes sleepers
    late and so bunches sends reserved for different slots, a check on the times sends were
    actually let go (the last ``rate`` of them) before each one."""

    SLACK = 0.1  # seconds added to the window: sends leave the event loop, and reach the platform, a little unevenly

    def __init__(self, rates: Mapping[str, float]) -> None:
        self._rates = dict(rates)
        self._next: dict[str, float] = {}
        self._released: dict[str, deque[float]] = {}
        self._guards: dict[str, asyncio.Lock] = {}
        self._lock = asyncio.Lock()

    async def wait(self, platform: str) -> float:
        """Wait for this platform's next slot; how many seconds that took."""
        rate = self._rates.get(platform)
        if not rate:
            return 0.0
        started = time.monotonic()
        async with self._lock:
            now = time.monotonic()
            slot = max(now, self._next.get(platform, now))
            self._next[platform] = slot + 1 / rate
        if slot > now:
            await asyncio.sleep(slot - now)
        count = max(1, int(rate))
        released = self._released.setdefault(platform, deque(maxlen=count))
        async with self._guards.setdefault(platform, asyncio.Lock()):
            late = released[0] + count / rate + self.SLACK - time.monotonic() if len(released) == count else 0.0
            if late > 0:
                await asyncio.sleep(late)
            released.append(time.monotonic())
        return time.monotonic() - started


@dataclass
class Delivery:
    """Sends an :class:`Outgoing` from part ``start`` on, reporting progress after each part."""

    senders: Mapping[str, Sender]
    clock: Clock
    rates: RateLimit = field(default_factory=lambda: RateLimit({}))
    _paused: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def paused_until(self, platform: str) -> tuple[datetime, str] | None:
        pause = self._paused.get(platform)
        if pause is None or pause[0] <= self.clock():
            return None
        return pause

    def parts(self, message: Outgoing) -> list[Reply]:
        sender = self.senders.get(message.platform)
        return sender.parts(message.replies) if sender else []

    async def deliver(self, message: Outgoing, start: int, progress: Progress) -> Outcome:
        outcome = await self._attempt(message, start, progress)
        if outcome.state == SENT:
            metrics.SENT.labels(message.platform, message.kind).inc()
        elif outcome.state != LOST:
            metrics.SEND_ERRORS.labels(message.platform, metrics.error_code(outcome.reason)).inc()
        return outcome

    async def _attempt(self, message: Outgoing, start: int, progress: Progress) -> Outcome:
        sender = self.senders.get(message.platform)
        if sender is None:
            return Outcome(FAILED, f"{message.platform} is not configured")
        pause = self.paused_until(message.platform)
        if pause is not None:
            return Outcome(PAUSED, pause[1], retry_at=pause[0])
        try:
            return await self._deliver(sender, message, start, progress)
        except _LeaseLostError:
            return Outcome(LOST)
        except RetryLaterError as exc:
            return Outcome(RETRY, exc.reason)
        except TokenExpiredError as exc:
            until = self.clock() + PAUSE
            self._paused[message.platform] = (until, exc.reason)
            log.error("alert=platform_token_dead platform=%s reason=%s: sending paused, messages wait", message.platform, exc.reason)
            return Outcome(PAUSED, exc.reason, retry_at=until)
        except OutsideWindowError as exc:
            return Outcome(UNDELIVERABLE, exc.reason)
        except UnreachableError as exc:
            return Outcome(UNREACHABLE, exc.reason)
        except BadRequestError as exc:
            return Outcome(FAILED, exc.reason)
        except Exception as exc:  # any surprise counts as an attempt: no row is retried forever
            log.exception("sending to %s failed unexpectedly", message.platform)
            return Outcome(RETRY, f"unexpected {type(exc).__name__}")

    async def _deliver(self, sender: Sender, message: Outgoing, start: int, progress: Progress) -> Outcome:
        parts = sender.parts(message.replies)
        done = len(parts)
        last = message.last_inbound_at
        if message.purpose == RESPONSE:
            # An inbox reply answers the message just received; an officer's, sent later, must
            # still be within the window of the citizen's last message.
            if last is not None and self.clock() - last >= sender.window:
                window = int(sender.window.total_seconds() // 3600)
                return Outcome(UNDELIVERABLE, f"the citizen wrote more than {window} h ago: please call")
            await self._send_parts(sender, message, parts, start, progress, outside_window=False)
            return Outcome(SENT, via="response", parts_sent=done)
        if last is not None and self.clock() - last < sender.window:
            try:
                await self._send_parts(sender, message, parts, start, progress, outside_window=False)
                return Outcome(SENT, via="window", parts_sent=done)
            except OutsideWindowError:
                if start > 0:
                    raise  # a notice is not finished in another form after some of it went out
        if sender.can_tag():
            await self._send_parts(sender, message, parts, start, progress, outside_window=True)
            return Outcome(SENT, via="tag", parts_sent=done)
        template = message.template
        if template is not None and sender.has_template(template.kind):
            await self._slot(message.platform, progress, start)
            via = await sender.send_template(message.user_id, template)
            return Outcome(SENT, via=via, parts_sent=done)
        window = int(sender.window.total_seconds() // 3600)
        kind = template.kind if template else "this notice"
        return Outcome(UNDELIVERABLE, f"outside the {window} h window and no template for {kind}: please call")

    async def _slot(self, platform: str, progress: Progress, parts_sent: int) -> None:
        """Wait for the rate limit; after a long wait, renew the lease (and stop if it was lost)
        before the platform call, so a queue behind a slow limit never outlives its lease."""
        if await self.rates.wait(platform) > RENEW_AFTER.total_seconds() and not await progress(parts_sent):
            raise _LeaseLostError

    async def _send_parts(
        self, sender: Sender, message: Outgoing, parts: Sequence[Reply], start: int, progress: Progress, outside_window: bool
    ) -> None:
        for number in range(start, len(parts)):
            await self._slot(message.platform, progress, number)
            await sender.send_part(message.user_id, parts[number], message.purpose, outside_window)
            # The last part is recorded by the finish, in the same write as the final state.
            if number + 1 < len(parts) and not await progress(number + 1):
                raise _LeaseLostError


def backoff(attempts: int, cap: timedelta = timedelta(minutes=10)) -> timedelta:
    """2, 4, 8 … seconds up to ``cap``, with up to 50 % jitter so that retries spread out."""
    base = min(2.0**attempts, cap.total_seconds())
    return timedelta(seconds=base * (1 + random.random() / 2))


class LeasedRows:
    """Claim, progress and finish for a table with the lease columns (inbox, outbox).

    ``active`` are the states a row may be claimed in; ``final`` maps an outcome to the row's
    state; ``forget`` names columns emptied when the row reaches it (the inbox's replies may
    hold an applicant's name: kept only until they are sent or given up). Every write after
    the claim checks ``lease_token``, so a worker whose lease ran out (and whose row another
    worker took) changes nothing."""

    def __init__(
        self,
        sessions: SessionFactory,
        model: Any,
        active: Sequence[str],
        final: Mapping[str, str],
        clock: Clock,
        forget: Sequence[str] = (),
    ) -> None:
        self._sessions = sessions
        self._forget = dict.fromkeys(forget)
        # Core statements on the table, not ORM ones on the model: an ORM UPDATE also searches
        # the session for objects to synchronise, which cost more CPU than the write itself.
        self._table: Table = model.__table__
        self._active = tuple(active)
        self._final = dict(final)
        self._clock = clock

    async def claim(self, row_id: int) -> str | None:
        """Take the row if it is due and nobody holds it; the lease token, or ``None``."""
        now, token, c = self._clock(), secrets.token_hex(8), self._table.c
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(self._table)
                .where(c.id == row_id, c.state.in_(self._active), c.due_at <= now)
                .values(due_at=now + LEASE, lease_token=token)
            )
        return token if result.rowcount else None  # type: ignore[attr-defined]

    async def update_if_ours(self, row_id: int, token: str, **values: Any) -> bool:
        c = self._table.c
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(self._table).where(c.id == row_id, c.lease_token == token, c.state.in_(self._active)).values(**values)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def progress(self, row_id: int, token: str) -> Progress:
        async def record(parts_sent: int) -> bool:
            return await self.update_if_ours(row_id, token, parts_sent=parts_sent, due_at=self._clock() + LEASE)

        return record

    async def finish(
        self, row_id: int, token: str, outcome: Outcome, attempts: int, max_attempts: int, give_up_at: datetime | None = None
    ) -> bool:
        """Record the outcome (a retry time, or a final state); False when the lease was lost."""
        now = self._clock()
        if outcome.state == LOST:
            return False
        if outcome.state == PAUSED:
            return await self.update_if_ours(row_id, token, due_at=outcome.retry_at or now + PAUSE, last_error=_short(outcome.reason))
        if outcome.state == RETRY:
            attempts += 1
            retry_at = now + backoff(attempts, cap=timedelta(hours=1) if give_up_at else timedelta(minutes=10))
            out_of_time = give_up_at is not None and retry_at > give_up_at
            if attempts < max_attempts and not out_of_time:
                return await self.update_if_ours(row_id, token, attempts=attempts, due_at=retry_at, last_error=_short(outcome.reason))
            log.error("row %s of %s: giving up after %d attempts (%s)", row_id, self._table.name, attempts, outcome.reason)
            outcome = Outcome(FAILED, outcome.reason)
        values: dict[str, Any] = {"state": self._final[outcome.state], "done_at": now, "last_error": _short(outcome.reason), **self._forget}
        if outcome.via is not None and "via" in self._table.c:
            values["via"] = outcome.via
        if outcome.parts_sent is not None:
            values["parts_sent"] = outcome.parts_sent
        if outcome.state == RETRY or attempts:
            values["attempts"] = attempts
        return await self.update_if_ours(row_id, token, **values)


def _short(reason: str | None) -> str | None:
    return reason[:255] if reason else None
