"""Zalo OA tokens kept in the database and refreshed safely.

The access token lives about 25 hours; the refresh token is single-use (3 months). So a
refresh must happen once, by one process, and the new pair must be stored before it is
used: the row is locked (``SELECT … FOR UPDATE`` on PostgreSQL, plus a lock in this
process), and a process that finds the token already changed uses the new one instead of
refreshing again. Refreshes happen shortly before expiry and on -216/-220; -14014 (the
refresh token is dead: the OA must grant access again) is logged as critical.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import aiohttp
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from bot.db import SessionFactory
from bot.models import PlatformToken
from connectors.base import RetryLaterError, TokenExpiredError

log = logging.getLogger(__name__)
PLATFORM = "zalo"
CACHE = 30.0  # seconds a token read from the database is reused
EARLY = timedelta(minutes=10)  # refresh this long before the access token expires
DEAD_REFRESH_TOKEN = -14014


class ZaloTokens:
    def __init__(
        self,
        sessions: SessionFactory,
        http: aiohttp.ClientSession,
        oauth_base: str,
        app_id: str,
        app_secret: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._http = http
        self._url = f"{oauth_base.rstrip('/')}/v4/oa/access_token"
        self._app_id = app_id
        self._app_secret = app_secret
        self._clock = clock
        self._lock = asyncio.Lock()
        # The row as last read (token, expiry, when read): a send does not read the database each time.
        self._cached: tuple[str, datetime | None, float] | None = None

    def _now(self) -> datetime:
        return self._clock()

    async def seed(self, access_token: str, refresh_token: str) -> None:
        """First start: the pair from the settings; afterwards the database's pair wins. Several
        processes may start at once: the first insert wins, the others change nothing."""
        row = {"platform": PLATFORM, "access_token": access_token, "refresh_token": refresh_token, "updated_at": self._now()}
        async with self._sessions() as session, session.begin():
            insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
            await session.execute(insert(PlatformToken).values(row).on_conflict_do_nothing(index_elements=["platform"]))

    async def access_token(self) -> str:
        """The current access token, refreshed first when it is about to expire. Read from the
        database at most every ``CACHE`` seconds: a token another process refreshed meanwhile
        is found on the first -216 (:meth:`refresh` reads the row before refreshing)."""
        cached = self._cached
        if cached is None or time.monotonic() - cached[2] > CACHE:
            async with self._sessions() as session:
                row = await session.scalar(select(PlatformToken).where(PlatformToken.platform == PLATFORM))
            if row is None:
                raise TokenExpiredError("no zalo token in the database")
            cached = self._cached = (row.access_token, row.expires_at, time.monotonic())
        token, expires_at, _ = cached
        if expires_at is not None and expires_at - self._now() < EARLY:
            return await self.refresh(token)
        return token

    async def refresh(self, failed: str) -> str:
        """A new access token replacing ``failed``; once, however many callers ask at once."""
        async with self._lock, self._sessions() as session, session.begin():
            row = await session.scalar(select(PlatformToken).where(PlatformToken.platform == PLATFORM).with_for_update())
            if row is None:
                raise TokenExpiredError("no zalo token in the database")
            if row.access_token != failed and (row.expires_at is None or row.expires_at - self._now() >= EARLY):
                self._cached = (row.access_token, row.expires_at, time.monotonic())
                return row.access_token  # someone else refreshed meanwhile
            form = {"app_id": self._app_id, "grant_type": "refresh_token", "refresh_token": row.refresh_token}
            try:
                async with self._http.post(self._url, data=form, headers={"secret_key": self._app_secret}) as resp:
                    if resp.status >= 500:
                        raise RetryLaterError(f"zalo oauth http {resp.status}")
                    answer = await resp.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                raise RetryLaterError(f"zalo oauth unreachable ({type(exc).__name__})") from exc
            if not isinstance(answer, dict) or not answer.get("access_token") or not answer.get("refresh_token"):
                code = answer.get("error") if isinstance(answer, dict) else None
                if code == DEAD_REFRESH_TOKEN:
                    log.critical("Zalo refresh token is dead (-14014): the OA administrator must grant the app access again")
                raise TokenExpiredError(f"zalo oauth error {code}")
            row.access_token, row.refresh_token = str(answer["access_token"]), str(answer["refresh_token"])
            row.expires_at = self._now() + timedelta(seconds=int(answer.get("expires_in") or 90000))
            row.updated_at = self._now()
            self._cached = (row.access_token, row.expires_at, time.monotonic())
            log.info("zalo access token refreshed")  # never the token itself
            return row.access_token
