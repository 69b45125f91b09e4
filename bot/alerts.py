"""Alerts in the log: one ERROR line with a stable name (``alert=<name>``) an operator can grep
or route (journald, Loki, an e-mail rule), repeated at most every ``again_after`` while it lasts.

Raised here, every half minute by the scheduler: ``backlog_old`` (a due inbox or outbox row has
waited longer than ALERT_BACKLOG_MINUTES) and ``nlu_down`` (messages parsed by keywords for
longer than ALERT_NLU_DOWN_MINUTES). Raised where they happen: ``platform_token_dead``
(bot/delivery.py) and ``lookup_failures_spike`` (bot/dossiers/access.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.backlog import read_backlog
from bot.db import SessionFactory

log = logging.getLogger(__name__)
CHECK_EVERY = timedelta(seconds=30)


class Alerts:
    def __init__(
        self,
        sessions: SessionFactory,
        nlu_mode: Callable[[], str | None],
        clock: Callable[[], datetime],
        backlog_after: timedelta,
        nlu_down_after: timedelta,
        again_after: timedelta = timedelta(minutes=15),
    ) -> None:
        self._sessions, self._nlu_mode, self._clock = sessions, nlu_mode, clock
        self._backlog_after, self._nlu_down_after, self._again_after = backlog_after, nlu_down_after, again_after
        self._raised: dict[str, datetime] = {}
        self._nlu_down_since: datetime | None = None

    async def check(self) -> list[str]:
        """Raise what holds now; the alerts logged (for tests)."""
        now = self._clock()
        logged = []
        async with self._sessions() as session:
            backlog = await read_backlog(session, now)
        for queue, found in backlog.items():
            if found.oldest_due_seconds > self._backlog_after.total_seconds():
                minutes = int(found.oldest_due_seconds // 60)
                logged += self._raise(
                    f"backlog_old queue={queue}", f"the oldest due row has waited {minutes} min; {found.waiting} wait", now
                )
        if self._nlu_mode() == "rasa":
            self._nlu_down_since = None
        else:
            self._nlu_down_since = self._nlu_down_since or now
            down = now - self._nlu_down_since
            if down > self._nlu_down_after:
                logged += self._raise(
                    "nlu_down", f"Rasa has not answered for {int(down.total_seconds() // 60)} min; parsing with keywords", now
                )
        return logged

    def _raise(self, name: str, why: str, now: datetime) -> list[str]:
        last = self._raised.get(name)
        if last is not None and now - last < self._again_after:
            return []
        self._raised[name] = now
        line = f"alert={name}: {why}"
        log.error(line)
        return [line]
