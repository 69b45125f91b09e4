"""The webhooks' group commit: a burst of requests costs a few transactions, each request
returns only once its events are committed, and a failed commit fails every request in it."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import make_engine, make_sessions, migrate
from bot.inbox import Acceptor
from bot.models import InboxEvent
from connectors.base import InboundEvent
from tests.conftest import DEMO_NOW


def _events(request: int) -> list[InboundEvent]:
    return [InboundEvent("zalo", f"m{request}-{n}", f"u{request % 7}", "text", f"tin {n}") for n in range(2)]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """The inbox's database, migrated."""
    engine = make_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


def fail_first_insert(engine: AsyncEngine) -> list[int]:
    """The next insert into the inbox fails (as a full disk would); the list empties when it has."""
    failures = [1]

    def fail_once(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if failures and statement.lstrip().upper().startswith("INSERT INTO INBOX"):
            failures.pop()
            raise RuntimeError("disk full")

    event.listen(engine.sync_engine, "before_cursor_execute", fail_once)
    return failures


async def test_a_burst_is_stored_in_few_commits_and_every_request_waits_for_its_own(engine: AsyncEngine) -> None:
    commits: list[int] = []
    event.listen(engine.sync_engine, "commit", lambda _conn: commits.append(1))
    sessions = make_sessions(engine)
    wakes: list[int] = []
    acceptor = Acceptor(sessions, lambda: wakes.append(1), lambda: DEMO_NOW)

    async def webhook(request: int) -> int:
        await acceptor.accept(_events(request))
        async with sessions() as session:  # committed before the request returns
            return int(await session.scalar(select(func.count()).where(InboxEvent.message_id.like(f"m{request}-%"))) or 0)

    # 60 requests, and 10 of them redelivered at once (same message ids): stored once.
    seen = await asyncio.gather(*(webhook(n) for n in range(60)), *(webhook(n) for n in range(10)))
    assert seen == [2] * 70
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxEvent)) == 120
    assert 1 <= len(commits) <= 10, f"{len(commits)} commits for 70 requests"
    assert len(wakes) == len(commits)


async def test_a_failed_commit_fails_every_request_in_it_and_the_next_ones_are_stored(engine: AsyncEngine) -> None:
    fail_first_insert(engine)
    sessions = make_sessions(engine)
    acceptor = Acceptor(sessions, lambda: None, lambda: DEMO_NOW)
    first = await asyncio.gather(*(acceptor.accept(_events(n)) for n in range(5)), return_exceptions=True)
    assert all(isinstance(result, Exception) for result in first), first  # the platforms redeliver these
    await asyncio.gather(*(acceptor.accept(_events(n)) for n in range(5)))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxEvent)) == 10


async def test_a_request_cancelled_while_waiting_still_has_its_events_stored(engine: AsyncEngine) -> None:
    sessions = make_sessions(engine)
    acceptor = Acceptor(sessions, lambda: None, lambda: DEMO_NOW)
    waiting = asyncio.create_task(acceptor.accept(_events(1)))
    await asyncio.sleep(0)
    waiting.cancel()  # the client hung up; the commit under way goes on
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await acceptor.accept(_events(2))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboxEvent)) == 4


async def test_a_failed_commit_under_a_request_that_hung_up_is_not_reported_twice(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    failures = fail_first_insert(engine)
    acceptor = Acceptor(make_sessions(engine), lambda: None, lambda: DEMO_NOW)
    waiting = asyncio.create_task(acceptor.accept(_events(1)))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.sleep(0.2)  # the commit under way fails
    assert not failures
    gc.collect()  # an unread exception is reported when its future is collected
    await asyncio.sleep(0)
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]
