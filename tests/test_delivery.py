"""The lease rules of the one delivery path: a worker whose lease ran out changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db import make_engine, make_sessions, migrate
from bot.delivery import FAILED, LEASE, RETRY, SENT, LeasedRows, Outcome, backoff
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
