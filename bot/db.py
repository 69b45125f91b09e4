"""Database engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.config import ROOT

SessionFactory = async_sessionmaker[AsyncSession]
# Any constant will do: it only has to be the same in every bot process.
_MIGRATION_LOCK_ID = 7_310_426


def make_engine(url: str) -> AsyncEngine:
    """An engine for ``url``; a SQLite file's folder is created, foreign keys are enforced.

    Errors never carry the bound values (a phone number, a name) into logs: ``hide_parameters``.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL survives an application crash (only a power cut can lose the last
    # commits) and makes each commit — an inbox row before the webhook's 200 — much cheaper.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessions(engine: AsyncEngine) -> SessionFactory:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; safe when several processes start at once."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
        await conn.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def one_at_a_time(session: AsyncSession) -> None:
    """Within this transaction, wait for any other process doing the same start-up work (the
    catalogue's upsert, the demo dossiers): processes starting together on an empty
    PostgreSQL database would otherwise insert the same rows at once, and all but one fail."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})


async def ping(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not reachable" for the health check
        return False
    return True


@asynccontextmanager
async def command_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """For one-shot commands: migrate, then one session in one transaction, then dispose."""
    engine = make_engine(database_url)
    try:
        await migrate(engine)
        async with make_sessions(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()
