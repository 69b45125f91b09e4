"""Migrations on the configured database (SQLite here, PostgreSQL in CI's second pass)."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select, text

from bot.config import ROOT
from bot.db import make_engine, make_sessions, migrate
from bot.demo import demo_records, load_demo_dossiers, sync_catalogue
from bot.models import Conversation, Dossier


async def test_migrations_apply_twice_and_keep_utc(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        await migrate(engine)
        await migrate(engine)  # a second start is a no-op
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        assert {"agencies", "procedures", "dossiers", "dossier_events", "conversations", "alembic_version"} <= tables
        expected = "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else "sqlite"
        assert engine.dialect.name == expected
        moment = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
        async with make_sessions(engine)() as session, session.begin():
            session.add(Conversation(platform="rest", user_id="u", state={}, updated_at=moment))
        async with make_sessions(engine)() as session:
            stored = await session.scalar(select(Conversation.updated_at))
        assert stored == moment and stored is not None and stored.tzinfo is not None
    finally:
        await engine.dispose()


@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning", "ignore:.*expression-based index")
async def test_models_and_migrations_agree(database_url: str) -> None:
    """Every table and column of bot/models.py is created by the migrations (no drift);
    alembic cannot compare expression indexes, so the sweep's is checked by name."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.models import Base

    engine = make_engine(database_url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
            indexes = await conn.run_sync(lambda c: {i["name"] for i in inspect(c).get_indexes("dossiers")})
            if conn.dialect.name == "sqlite":  # SQLite's reflection leaves expression indexes out
                indexes |= set(await conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
    finally:
        await engine.dispose()
    assert diff == []
    assert "ix_dossiers_open_due" in indexes


async def test_database_errors_never_carry_the_bound_values(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A failing statement with a phone number bound: neither the error nor any log line shows it."""
    engine = make_engine(database_url)
    await migrate(engine)
    phone = "0912345678"
    try:
        with pytest.raises(Exception) as failure:  # the driver's own error class
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO conversations (id, platform) VALUES (:id, :phone)"), {"id": "x", "phone": phone})
        assert phone not in str(failure.value) and phone not in repr(failure.value)
        assert phone not in caplog.text
    finally:
        await engine.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="processes starting together: a PostgreSQL matter")
async def test_processes_starting_together_load_the_catalogue_and_demo_once(database_url: str) -> None:
    """Two bot processes started at once on an empty database both start: the catalogue's
    upsert and the demo dossiers are done one after the other, not inserted twice at once."""
    engines = [make_engine(database_url) for _ in range(4)]
    try:
        await migrate(engines[0])
        factories = [make_sessions(engine) for engine in engines]
        await asyncio.gather(*(sync_catalogue(f, ROOT / "data") for f in factories))
        await asyncio.gather(*(load_demo_dossiers(f, ROOT / "data") for f in factories))
        async with factories[0]() as session:
            assert await session.scalar(select(func.count()).select_from(Dossier)) == len(demo_records(ROOT / "data"))
    finally:
        for engine in engines:
            await engine.dispose()
