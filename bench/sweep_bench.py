"""Overdue sweep benchmark: ``bot.notify.sweep.sweep_overdue`` over a million dossiers.

Usage: scripts/with-postgres .venv/bin/python -m bench.sweep_bench [--dossiers 1000000]   # TEST_DATABASE_URL
       .venv/bin/python -m bench.sweep_bench --dossiers 100000                            # a fresh SQLite file
       .venv/bin/python -m bench.sweep_bench --database-url URL                           # a throw-away database

Migrates a fresh database, then generates the dossiers in the database itself (one
``INSERT … SELECT`` over ``generate_series`` on PostgreSQL, a recursive CTE on SQLite), with a
deterministic mix: 70 % returned (10), 18 % ready (9), 2 % refused or stopped (3, 8), 4 %
awaiting supplements or payment (5, 6) and 6 % in progress (1, 2, 4) received over the last
20 days with appointments 3–15 days after receipt (so some past, some to come), a tenth of
them with a new appointment a week later. Followers: one dossier in 247 (any status) and one
open dossier in 23, a third or a quarter of them with a second follower. Then ``ANALYZE``, and times the first sweep
(which queues the apologies) and a second one (which must add nothing), each with its
commit, counting the statements they send; and prints ``EXPLAIN (ANALYZE, BUFFERS)`` (SQLite:
``EXPLAIN QUERY PLAN``) of ``overdue_query(now)`` with its values inlined, before the first
sweep and after the second. The database is emptied first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

from bot.config import ROOT
from bot.db import SessionFactory, make_engine, make_sessions, migrate
from bot.models import Dossier, Follower, OutboxMessage
from bot.notify.rules import IN_PROGRESS, Policy
from bot.notify.sweep import overdue_query, sweep_overdue
from tests.throwaway import empty_database

GOAL_SECONDS = 1.0


def _procedures() -> list[str]:
    return sorted(p.stem for p in (ROOT / "data" / "procedures").glob("*.yml"))[:8]


def dossiers_sql(dialect: str) -> str:
    """One statement that inserts ``:n`` dossiers as of ``:now`` (see the module docstring)."""
    if dialect == "postgresql":
        series = "series AS (SELECT i FROM generate_series(1, CAST(:n AS integer)) AS i)"

        def ago(minutes: str) -> str:
            return f"(CAST(:now AS timestamptz) - ({minutes}) * interval '1 minute')"

        def pad(value: str, width: int) -> str:
            return f"lpad(CAST({value} AS text), {width}, '0')"

    else:
        series = "series(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM series WHERE i < :n)"

        def ago(minutes: str) -> str:  # SQLAlchemy's storage format: 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC)
            return f"(strftime('%Y-%m-%d %H:%M:%f', :now, '-' || ({minutes}) || ' minutes') || '000')"

        def pad(value: str, width: int) -> str:
            return f"substr('{'0' * width}' || CAST({value} AS text), -{width}, {width})"

    procedures = _procedures()
    procedure = "CASE i % {} {} END".format(len(procedures), " ".join(f"WHEN {k} THEN '{code}'" for k, code in enumerate(procedures)))
    is_open = "status IN (1, 2, 4)"
    delayed = f"{is_open} AND i % 10 = 3"
    return f"""
WITH RECURSIVE {series},
g AS (SELECT i, (i * 37) % 1000 AS b FROM series),
h AS (
  SELECT i,
    CASE WHEN b < 700 THEN 10 WHEN b < 880 THEN 9 WHEN b < 890 THEN 3 WHEN b < 900 THEN 8 WHEN b < 920 THEN 5
         WHEN b < 940 THEN 6 WHEN b < 960 THEN 4 WHEN b < 980 THEN 2 ELSE 1 END AS status,
    CASE WHEN b >= 900 THEN (i * 13) % (20 * 1440) ELSE 30 * 1440 + (i * 7) % (700 * 1440) END AS age,
    3 + (i % 5) * 3 AS days
  FROM g
)
INSERT INTO dossiers (code, procedure_code, agency_code, applicant_name, applicant_phone, applicant_id_number, status, channel,
                      received_at, appointment_at, finished_at, returned_at, delay_reason, new_appointment_at, updated_at)
SELECT '000.00.31.H26-' || {pad("i / 10000", 6)} || '-' || {pad("i % 10000", 4)}, {procedure}, 'dan-phuong',
  'Người thử ' || CAST(i AS text), '09' || {pad("i", 8)}, {pad("i % 10000", 4)}, status, 1 + i % 3,
  {ago("age")}, {ago("age - days * 1440")},
  CASE WHEN status IN (9, 10) THEN {ago("age - (days - 1) * 1440")} END,
  CASE WHEN status = 10 THEN {ago("age - days * 1440")} END,
  CASE WHEN {delayed} THEN 'Chờ ý kiến của cơ quan chuyên môn' END,
  CASE WHEN {delayed} THEN {ago("age - (days + 7) * 1440")} END,
  CAST(:now AS {"timestamptz" if dialect == "postgresql" else "text"})
FROM h
"""


def followers_sql(dialect: str) -> str:
    user = "CAST(3000000000000000 + id AS text)"
    now = "CAST(:now AS timestamptz)" if dialect == "postgresql" else ":now"
    return f"""
INSERT INTO dossier_followers (dossier_id, platform, user_id, via, created_at)
SELECT id, CASE WHEN id % 2 = 0 THEN 'zalo' ELSE 'facebook' END, {user}, 'chat', {now} FROM dossiers
WHERE id % 247 = 0 OR (status IN (1, 2, 4) AND id % 23 = 1)
UNION ALL
SELECT id, 'zalo', CAST(5000000000000000 + id AS text), 'receipt', {now} FROM dossiers
WHERE (id % 247 = 0 AND id % 3 = 0) OR (status IN (1, 2, 4) AND id % 23 = 1 AND id % 4 = 1)
"""


class Statements:
    """Counts and times every statement the engine sends (by its first word)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._started: list[float] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        verb = statement.split(None, 1)[0].upper()
        self.count[verb] += 1
        self.seconds[verb] += time.perf_counter() - self._started.pop()

    @contextmanager
    def measured(self) -> Iterator[dict[str, Any]]:
        self.count.clear()
        self.seconds.clear()
        found: dict[str, Any] = {}
        started = time.perf_counter()
        yield found
        found["seconds"] = time.perf_counter() - started
        found["statements"] = ", ".join(f"{verb} {n} ({self.seconds[verb] * 1000:.0f} ms)" for verb, n in self.count.most_common())


async def generate(engine: AsyncEngine, sessions: SessionFactory, n: int, now: datetime) -> dict[str, Any]:
    dialect = engine.dialect.name
    stamp: Any = now if dialect == "postgresql" else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        await session.execute(text(dossiers_sql(dialect)), {"n": n, "now": stamp})
        await session.execute(text(followers_sql(dialect)), {"now": stamp})
    generated = time.perf_counter() - started
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()
    async with sessions() as session:
        statuses = dict(
            (status, count) for status, count in await session.execute(select(Dossier.status, func.count()).group_by(Dossier.status))
        )
        followed = await session.scalar(select(func.count(func.distinct(Follower.dossier_id))))
        followers = await session.scalar(select(func.count()).select_from(Follower))
    return {"seconds": generated, "statuses": statuses, "followed": followed, "followers": followers}


def compiled(engine: AsyncEngine, now: datetime) -> str:
    query = overdue_query(now)
    assert isinstance(query, Select)
    return str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


async def explain(engine: AsyncEngine, now: datetime) -> str:
    sql = compiled(engine, now)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    async with engine.connect() as conn:
        rows = (await conn.execute(text(prefix + sql))).all()
    if engine.dialect.name == "postgresql":
        return "\n".join(str(row[0]) for row in rows)
    return "\n".join(f"{row[0]:>3} {row[1]:>3} {row[3]}" for row in rows)


async def sweep(sessions: SessionFactory, stats: Statements, now: datetime) -> dict[str, Any]:
    with stats.measured() as found:
        async with sessions() as session, session.begin():
            started = time.perf_counter()
            found["added"] = await sweep_overdue(session, Policy(), now)
            found["in_sweep"] = time.perf_counter() - started
    return found


async def bench(url: str, n: int) -> bool:
    await empty_database(url)
    engine = make_engine(url)
    try:
        await migrate(engine)
        sessions = make_sessions(engine)
        now = datetime.now(UTC)
        made = await generate(engine, sessions, n, now)
        backend = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
        async with engine.connect() as conn:
            version = await conn.scalar(text("SELECT version()" if backend == "PostgreSQL" else "SELECT sqlite_version()"))
        print(f"{backend} ({str(version).split(' on ')[0]}): {n:,} dossiers generated and analysed in {made['seconds']:.1f} s")
        print(
            f"  by status {dict(sorted(made['statuses'].items()))}; {made['followed']:,} dossiers followed, {made['followers']:,} followers"
        )
        async with sessions() as session:
            due = overdue_query(now, limit=10**9)
            assert isinstance(due, Select)
            overdue = await session.scalar(select(func.count()).select_from(due.subquery()))
            open_ = await session.scalar(select(func.count()).where(Dossier.status.in_(sorted(IN_PROGRESS))))
        print(f"  open (1, 2, 4): {open_:,}; followed, overdue and not apologised for: {overdue:,}")
        print(f"\n{'EXPLAIN (ANALYZE, BUFFERS)' if backend == 'PostgreSQL' else 'EXPLAIN QUERY PLAN'} before the first sweep:")
        print(compiled(engine, now))
        print(await explain(engine, now))
        stats = Statements(engine)
        first = await sweep(sessions, stats, now)
        second = await sweep(sessions, stats, now)
        async with sessions() as session:
            outbox = await session.scalar(select(func.count()).select_from(OutboxMessage))
            apologised = await session.scalar(select(func.count()).where(Dossier.apologised_for.is_not(None)))
        print("\nsweeps (each in its own transaction, commit included):")
        for label, found in (("first", first), ("second", second)):
            print(
                f"  {label}: {found['seconds'] * 1000:.0f} ms ({found['in_sweep'] * 1000:.0f} ms in sweep_overdue), "
                f"{found['added']:,} apologies queued; statements: {found['statements']}"
            )
        print(f"  outbox rows {outbox:,}; dossiers marked apologised_for {apologised:,}")
        print(f"\n{'EXPLAIN (ANALYZE, BUFFERS)' if backend == 'PostgreSQL' else 'EXPLAIN QUERY PLAN'} after the second sweep:")
        print(await explain(engine, now))
        ok = bool(second["added"] == 0 and first["added"] == outbox and first["added"] >= overdue)
        fast = first["seconds"] < GOAL_SECONDS and second["seconds"] < GOAL_SECONDS
        print(f"\nsecond sweep added nothing: {'yes' if second['added'] == 0 else 'NO'}; first = outbox rows: {first['added'] == outbox}")
        print(f"goal under {GOAL_SECONDS:g} s per sweep: {'met' if fast else 'MISSED'}")
        return ok
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"), help="a throw-away database (emptied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'sweep.db'}"
        ok = asyncio.run(bench(url, args.dossiers))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
