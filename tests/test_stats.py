"""The public report: the seed article's Q1/2023 figures reproduced exactly, and the rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import text

from bot.config import ROOT
from bot.db import make_engine, make_sessions
from bot.dossiers.periods import previous_month
from bot.dossiers.records import VIETNAM, DossierRecord
from bot.dossiers.stats import LastMonth, Report, compute, render
from bot.dossiers.store import upsert_dossiers
from bot.models import Rating
from tests import q1_2023
from tests.conftest import seed_dossiers


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), VIETNAM)


def _stats(args: list[str], database_url: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "stats", *args], check=True, env=env, cwd=ROOT, capture_output=True, text=True
    ).stdout


async def test_the_seed_articles_quarter_is_reproduced_exactly(database_url: str) -> None:
    await seed_dossiers(database_url, q1_2023.records())
    period = ["--from", "2023-01-01", "--to", "2023-03-31"]
    assert json.loads(_stats([*period, "--json"], database_url)) == q1_2023.FIGURES
    text = _stats([*period, "--agency", "dan-phuong"], database_url)
    for expected in ("Tiếp nhận: 8.525 hồ sơ", "2.351 hồ sơ trực tuyến (27,58 %)", "Đã giải quyết: 8.315", "(98,79 % đúng và trước hạn)"):
        assert expected in text
    assert "quá hạn 101 (1,21 %)" in text


def _record(code: str, status: int, received: date, appointment: date, finished: date | None = None, channel: int = 1) -> DossierRecord:
    return DossierRecord(
        code=code, status=status, agency_code="a", received_at=_at(received), appointment_at=_at(appointment, 16),
        finished_at=_at(finished, 23) if finished else None, channel=channel,
    )  # fmt: skip


async def test_counting_rules(database_url: str) -> None:
    d = date(2026, 10, 5)
    records = [
        _record("H26.01-261005-0001", 10, d, d + timedelta(days=2), d + timedelta(days=2)),  # on time (23:00, same date)
        _record("H26.01-261005-0002", 9, d, d + timedelta(days=2), d + timedelta(days=1)),  # early
        _record("H26.01-261005-0003", 10, d, d + timedelta(days=2), d + timedelta(days=3)),  # overdue
        _record("H26.01-261005-0004", 4, d, d + timedelta(days=2)),  # unresolved, overdue at the end of October
        _record("H26.01-261005-0005", 5, d, d + timedelta(days=2)),  # waiting for papers: apart
        _record("H26.01-261005-0006", 8, d, d + timedelta(days=2)),  # stopped: apart
        _record("H26.01-261005-0007", 3, d, d + timedelta(days=2)),  # not accepted: not received
        _record("H26.01-261005-0008", 10, d, d + timedelta(days=40), d + timedelta(days=35), channel=2),  # finished after the end
        _record("H26.01-260925-0009", 10, date(2026, 9, 25), d, d),  # received before the period
    ]
    await seed_dossiers(database_url, records)
    engine = make_engine(database_url)
    try:
        async with make_sessions(engine)() as session, session.begin():
            session.add_all([Rating(platform="t", user_id="u", agency_code="a", score=s, created_at=_at(d)) for s in (5, 4, 4)])
        async with make_sessions(engine)() as session:
            report = await compute(session, date(2026, 10, 1), date(2026, 10, 31), "a", today=date(2026, 11, 26))
            other = await compute(session, date(2026, 10, 1), date(2026, 10, 31), "b", today=date(2026, 11, 26))
    finally:
        await engine.dispose()
    assert (report.received, report.resolved, report.on_time, report.early, report.overdue) == (7, 3, 1, 1, 1)
    assert (report.unresolved_overdue, report.awaiting_supplement, report.stopped_or_withdrawn, report.online) == (1, 1, 1, 1)
    assert (report.ratings, report.rating_avg) == (3, 4.33)
    assert other.received == 0 and other.ratings == 0
    assert "chưa có số liệu" in render(other, "X")


async def test_the_chats_figures_are_recomputed_at_most_every_few_minutes(database_url: str) -> None:
    d = date(2026, 10, 5)
    await seed_dossiers(database_url, [_record("H26.01-261005-0001", 10, d, d, d)])
    now = datetime(2026, 11, 26, 3, 0, tzinfo=VIETNAM)
    last_month = LastMonth("a", every=timedelta(minutes=5))
    engine = make_engine(database_url)
    try:
        async with make_sessions(engine)() as session:
            assert (await last_month.report(session, now)).received == 1
            await upsert_dossiers(session, [_record("H26.01-261005-0002", 10, d, d, d)])
            await session.commit()
            assert (await last_month.report(session, now + timedelta(minutes=4))).received == 1  # cached
            assert (await last_month.report(session, now + timedelta(minutes=5))).received == 2
            explain = "EXPLAIN QUERY PLAN " if database_url.startswith("sqlite") else "EXPLAIN "
            plan = " ".join(str(row) for row in await session.execute(text(explain + _REPORT_QUERY)))
    finally:
        await engine.dispose()
    if database_url.startswith("sqlite"):  # PostgreSQL scans a table this small whatever the indexes
        assert "ix_dossiers_agency_received" in plan  # a month of one office, not the whole table


_REPORT_QUERY = "SELECT status FROM dossiers WHERE agency_code = 'a' AND received_at >= '2026-10-01' AND received_at < '2026-11-01'"


def test_previous_month_and_empty_shares() -> None:
    assert previous_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    zeros = dict.fromkeys(("received", "resolved", "on_time", "early", "overdue", "unresolved_overdue", "online"), 0)
    report = Report(
        date(2026, 1, 1), date(2026, 1, 31), None, **zeros, awaiting_supplement=0, stopped_or_withdrawn=0, ratings=0, rating_avg=None
    )
    assert report.to_json()["on_time_or_early_pct"] is None


@pytest.mark.parametrize("args", [["--from", "2026-02-30", "--to", "2026-03-01"], ["--from", "2026-03-02", "--to", "2026-03-01"]])
def test_bad_periods_are_refused(args: list[str], database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "bot", "stats", *args], check=False, env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "error" in done.stderr
