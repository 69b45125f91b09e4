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

from bot.db import SessionFactory
from bot.notify.dispatch import Dispatcher
from bot.notify.rules import Policy
from bot.notify.sweep import sweep_overdue
from bot.retention import Retention, apply_retention

log = logging.getLogger(__name__)
DISPATCH_EVERY = timedelta(seconds=2)
SWEEP_EVERY = timedelta(minutes=1)
TOKEN_EVERY = timedelta(minutes=10)
CLEANUP_EVERY = timedelta(hours=6)


async def sweep_job(sessions: SessionFactory, policy: Policy, clock: Callable[[], datetime]) -> int:
    async with sessions() as session, session.begin():
        added = await sweep_overdue(session, policy, clock())
    if added:
        log.info("overdue sweep: %d apologies queued", added)
    return added


async def cleanup_job(sessions: SessionFactory, retention: Retention, clock: Callable[[], datetime]) -> int:
    """Retention (bot/retention.py): old messages, notices, lookups and ratings deleted or redacted."""
    async with sessions() as session, session.begin():
        touched = await apply_retention(session, retention, clock())
    if any(touched.values()):
        log.info("retention: %s", ", ".join(f"{name} {count}" for name, count in touched.items() if count))
    return sum(touched.values())


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


def schedule(
    jobs: Jobs, sessions: SessionFactory, dispatcher: Dispatcher, policy: Policy, retention: Retention, clock: Callable[[], datetime]
) -> None:
    jobs.every("outbox-dispatch", DISPATCH_EVERY, dispatcher.dispatch_due)
    jobs.every("overdue-sweep", SWEEP_EVERY, lambda: sweep_job(sessions, policy, clock))
    jobs.every("retention-cleanup", CLEANUP_EVERY, lambda: cleanup_job(sessions, retention, clock))
