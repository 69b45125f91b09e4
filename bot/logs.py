"""Logging set-up: one format, and the libraries that would write citizens' data kept quiet.

aiosqlite logs every call with its bound values at DEBUG, and SQLAlchemy's engine logs result
rows at DEBUG: with ``LOG_LEVEL=DEBUG`` names and phone numbers would reach the log. Those
loggers stay at WARNING whatever the level; the noisy but harmless ones follow DEBUG only.
"""

from __future__ import annotations

import logging

# Loggers whose debug output carries SQL parameters or rows: never below WARNING.
PRIVATE = ("aiosqlite", "sqlalchemy", "asyncpg")
# Loggers that are only noisy (an access line per request, a line per job run every 2 s).
NOISY = ("aiohttp.access", "apscheduler")


def quiet_private_loggers() -> None:
    for name in PRIVATE:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    quiet_private_loggers()
