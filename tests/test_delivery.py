"""The lease rules of the one delivery path: a worker whose lease ran out changes nothing."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import select

from bot.db import make_engine, make_sessions, migrate
from bot.delivery import FAILED, LEASE, RETRY, SENT, LeasedRows, Outcome, RateLimit, backoff
from bot.inbox import ACTIVE, FINAL
from bot.models import InboxEvent
from tests.conftest import DEMO_NOW


async def test_only_the_lease_holder_can_record_progress_and_finish(database_url: str) -> None:
    engine = make_engine(database_url)
    now = [DEMO_NOW]
    try:
        await migrate(engine)
        sessions = make_sessions(engine)
        async with sessions() as session, session.begin():
            session.add(InboxEvent(platform="zalo", message_id="m", user_id="u", kind="text", text="x", due_at=DEMO_NOW))
        rows = LeasedRows(sessions, InboxEvent, ACTIVE, FINAL, lambda: now[0])
        first = await rows.claim(1)
        assert first is not None and await rows.claim(1) is None  # held
        assert await rows.progress(1, first)(1)
        now[0] += LEASE + timedelta(seconds=1)  # the first worker stalls past its lease
        second = await rows.claim(1)
        assert second is not None
        assert not await rows.progress(1, first)(2)
        assert not await rows.finish(1, first, Outcome(SENT), 0, 8)
        assert await rows.finish(1, second, Outcome(RETRY, "zalo http 503"), 0, 8)
        async with sessions() as session:
            row = await session.scalar(select(InboxEvent))
        assert row is not None and (row.state, row.parts_sent, row.attempts, row.last_error) == ("new", 1, 1, "zalo http 503")
        now[0] = row.due_at
        third = await rows.claim(1)
        assert third is not None and await rows.finish(1, third, Outcome(FAILED, "bad request"), 1, 8)
        assert await rows.claim(1) is None  # final
    finally:
        await engine.dispose()


async def test_an_unexpected_error_is_an_attempt_and_attempts_end(database_url: str) -> None:
    engine = make_engine(database_url)
    now = [DEMO_NOW]
    try:
        await migrate(engine)
        sessions = make_sessions(engine)
        async with sessions() as session, session.begin():
            session.add(InboxEvent(platform="zalo", message_id="m", user_id="u", kind="text", text="x", due_at=DEMO_NOW))
        rows = LeasedRows(sessions, InboxEvent, ACTIVE, FINAL, lambda: now[0])
        for attempt in range(3):
            token = await rows.claim(1)
            assert token is not None
            assert await rows.finish(1, token, Outcome(RETRY, "unexpected KeyError"), attempt, 3)
            now[0] += timedelta(hours=1)
        async with sessions() as session:
            row = await session.scalar(select(InboxEvent))
        assert row is not None and (row.state, row.attempts) == ("failed", 3)
    finally:
        await engine.dispose()


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    assert timedelta(seconds=2) <= backoff(1) <= timedelta(seconds=3)
    assert backoff(30) <= timedelta(minutes=15) and backoff(30, cap=timedelta(hours=1)) >= timedelta(hours=1)


async def test_the_rate_limit_holds_in_every_second_even_when_the_loop_wakes_sleepers_late() -> None:
    limit, rate = RateLimit({"zalo": 20}), 20
    released: list[float] = []
    stop = asyncio.Event()

    async def busy() -> None:  # a loop busy with other work wakes the limiter's sleepers late, together
        while not stop.is_set():
            time.sleep(0.12)  # noqa: ASYNC251 - blocking on purpose: a busy loop
            await asyncio.sleep(0.05)

    async def send() -> None:
        await limit.wait("zalo")
        released.append(time.monotonic())

    hog = asyncio.create_task(busy())
    await asyncio.gather(*(send() for _ in range(3 * rate)))
    stop.set()
    await hog
    assert await limit.wait("facebook") == 0.0  # no rate set: no wait
    released.sort()
    most = max(sum(1 for t in released if start <= t < start + 1.0) for start in released)
    assert most <= rate, f"{most} sends in one second"
    assert released[-1] - released[0] < 3 * 1.5, "spread, not stalled"
