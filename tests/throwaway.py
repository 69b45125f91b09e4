"""A throw-away database for tests and benchmarks: emptied before use."""

from __future__ import annotations

from sqlalchemy import text

from bot.db import make_engine


async def empty_database(url: str) -> None:
    """Drop everything in a PostgreSQL database's public schema (a SQLite file is new anyway)."""
    if not url.startswith("postgresql"):
        return
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
