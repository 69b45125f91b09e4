"""The scheduler's jobs: plain async functions (tested directly with an injected clock), and
the APScheduler that runs them in the bot's event loop. Every process may run them: claims
and unique keys in the database make that safe."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete

from bot.db import SessionFactory
from bot.models import Conversation, InboxEvent, LookupAttempt, OutboxMessage
from bot.notify.dispatch import Dispatcher
from bot.notify.rules import Policy
from bot.notify.sweep import sweep_overdue

log = logging.getLogger(__name__)
DISPATCH_EVERY = timedelta(seconds=2)
SWEEP_EVERY = timedelta(minutes=1)
TOKEN_EVERY = timedelta(minutes=10)
CLEANUP_EVERY = timedelta(hours=6)
# How long finished rows are kept (what an officer may still need to look at).
KEEP_INBOX = timedelta(days=30)
KEEP_OUTBOX = timedelta(days=180)
KEEP_LOOKUPS = timedelta(days=2)
KEEP_CONVERSATIONS = timedelta(days=90)


async def sweep_job(sessions: SessionFactory, policy: Policy, clock: Callable[[], datetime]) -> int:
    async with sessions() as session, session.begin():
        added = await sweep_overdue(session, policy, clock())
    if added:
        log.info("overdue sweep: %d apologies queued", added)
    return added


async def cleanup_job(sessions: SessionFactory, clock: Callable[[], datetime]) -> int:
    """Retention: finished inbox and outbox rows, old lookup attempts and idle conversations."""
    now = clock()
    removed = 0
    async with sessions() as session, session.begin():
        for statement in (
            delete(InboxEvent).where(InboxEvent.state.in_(("sent", "failed", "dropped")), InboxEvent.done_at < now - KEEP_INBOX),
            delete(OutboxMessage).where(OutboxMessage.state != "pending", OutboxMessage.done_at < now - KEEP_OUTBOX),
            delete(LookupAttempt).where(LookupAttempt.at < now - KEEP_LOOKUPS),
            delete(Conversation).where(Conversation.updated_at < now - KEEP_CONVERSATIONS),
        ):
            removed += int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]
    return removed


class Jobs:
    """Starts the jobs with the app and stops them with it, letting a running one finish."""

    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone="Asia/Ho_Chi_Minh")
        self._running: set[asyncio.Task[Any]] = set()

    def every(self, name: str, interval: timedelta, job: Callable[[], Awaitable[object]]) -> None:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job()
            except Exception:  # a job must not die with one bad pass
                log.exception("job %s failed", name)
            finally:
                if task is not None:
                    self._running.discard(task)

        self._scheduler.add_job(
            run,
            "interval",
            seconds=interval.total_seconds(),
            id=name,
            name=name,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        """No new runs; a running one finishes its pass (30 s at most)."""
        self._scheduler.shutdown(wait=False)
        if self._running:
            await asyncio.wait(set(self._running), timeout=30)


def schedule(jobs: Jobs, sessions: SessionFactory, dispatcher: Dispatcher, policy: Policy, clock: Callable[[], datetime]) -> None:
    jobs.every("outbox-dispatch", DISPATCH_EVERY, dispatcher.dispatch_due)
    jobs.every("overdue-sweep", SWEEP_EVERY, lambda: sweep_job(sessions, policy, clock))
    jobs.every("retention-cleanup", CLEANUP_EVERY, lambda: cleanup_job(sessions, clock))
