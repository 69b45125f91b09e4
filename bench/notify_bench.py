"""Notice dispatch benchmark: due notices sent by the real ``Dispatcher`` to fake Zalo and Graph servers.

Usage: .venv/bin/python -m bench.notify_bench [--notices 10000] [--zalo-share 0.5]
           [--rate-zalo 200] [--rate-facebook 250] [--database-url URL] [--statements]
       scripts/with-postgres .venv/bin/python -m bench.notify_bench   # uses TEST_DATABASE_URL

Fills the outbox with ``--notices`` pending notices, due now (one dossier each; kinds ready,
supplement, payment, apology, new date, returned and survey, with ``data`` as
``bot.notify.rules.facts_data`` makes it), for Zalo and Messenger users who wrote a few hours
ago (inside both platforms' windows). The fake Zalo and Graph servers (tests/fakes/platforms.py)
run on 127.0.0.1 in a separate process, so they do not take the dispatcher's CPU. The
dispatcher is the bot's own (``bot.runtime.open_runtime``: migrations, catalogue, senders, the
per-platform rate limit of ``send_rates``), quiet hours off; one ``dispatch_due()`` sends
everything and is timed.

Checks: every row ends ``sent`` with all its parts; each expected part (user, text) reached
its fake exactly once (no duplicate, none missing); and the per-platform rate: the sends each
fake received in each one-second window (fixed windows from its first request) and the
requests the dispatcher's HTTP client started in any one second (sliding window, timed by an
aiohttp trace) never exceed the limit. The fake's sliding-window count is printed too: it adds
the scheduling jitter of two busy processes on two cores, so it may exceed by a few.
The database is emptied first: give it a throw-away one. ``--statements`` counts the SQL
statements and commits the dispatch sends (per notice) and the time spent in them; for where
the CPU goes, run it under a sampling profiler (``py-spy record --threads -- python -m …``).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ROOT, FacebookSettings, Settings, ZaloSettings
from bot.delivery import Outgoing
from bot.models import Contact, Dossier, OutboxMessage
from bot.notify import kinds
from bot.notify.render import render
from bot.notify.rules import Facts, FollowerRef, facts_data, key
from bot.runtime import ProcedureNamer, Runtime, open_runtime
from connectors.base import NOTICE
from nlu.server import free_port
from tests.fakes.platforms import FakeGraph, FakeZalo
from tests.throwaway import empty_database

ZALO_TOKEN = "bench-zalo-token"
# (kind, dossier status, share of the notices)
KIND_MIX = (
    (kinds.READY, 9, 0.35),
    (kinds.SUPPLEMENT, 5, 0.2),
    (kinds.PAYMENT, 6, 0.1),
    (kinds.APOLOGY, 4, 0.1),
    (kinds.NEW_DATE, 4, 0.05),
    (kinds.RETURNED, 10, 0.1),
    (kinds.SURVEY, 10, 0.1),
)
SUPPLEMENT_REASONS = (
    "Bổ sung bản sao giấy chứng nhận kết hôn có chứng thực",
    "Tờ khai chưa có chữ ký của người yêu cầu; bổ sung giấy tờ chứng minh nơi cư trú",
    None,
)
DELAY_REASONS = ("Chờ ý kiến của cơ quan chuyên môn cấp huyện", None)


# --- the fake platforms, in their own process --------------------------------------------------


class TimedZalo(FakeZalo):
    """The fake Zalo, noting when each request arrived (wall clock, comparable across processes)."""

    def __init__(self, access_token: str) -> None:
        super().__init__(access_token=access_token)
        self.times: list[float] = []

    async def _record(self, request: web.Request) -> tuple[int, Any] | None:
        scripted = await super()._record(request)
        self.times.append(time.time())  # no await since the request was appended: same index
        return scripted


class TimedGraph(FakeGraph):
    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    async def _record(self, request: web.Request) -> tuple[int, Any] | None:
        scripted = await super()._record(request)
        self.times.append(time.time())
        return scripted


# What a fake reports at the end: (arrival time, user id, text, accepted) per request.
Sent = tuple[float, str, str, bool]


def _zalo_sent(fake: TimedZalo) -> list[Sent]:
    found = []
    for at, r in zip(fake.times, fake.requests, strict=True):
        body = r.body if isinstance(r.body, dict) else {}
        user = str((body.get("recipient") or {}).get("user_id") or body.get("user_id") or body.get("phone") or "")
        found.append((at, user, str((body.get("message") or {}).get("text") or f"template:{body.get('template_id')}"), r.accepted))
    return found


def _graph_sent(fake: TimedGraph) -> list[Sent]:
    found = []
    for at, r in zip(fake.times, fake.requests, strict=True):
        body = r.body if isinstance(r.body, dict) else {}
        found.append(
            (at, str((body.get("recipient") or {}).get("id") or ""), str((body.get("message") or {}).get("text") or ""), r.accepted)
        )
    return found


async def _serve_fakes(conn: Connection) -> None:
    zalo, graph = TimedZalo(ZALO_TOKEN), TimedGraph()
    runners = [web.AppRunner(zalo.app(), access_log=None), web.AppRunner(graph.app(), access_log=None)]
    ports = []
    for runner in runners:
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ports.append(port)
    conn.send(ports)
    await asyncio.to_thread(conn.recv)  # "stop"
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    conn.send({"zalo": _zalo_sent(zalo), "facebook": _graph_sent(graph), "cpu": cpu.ru_utime + cpu.ru_stime})
    for runner in runners:
        await runner.cleanup()


def serve_fakes(conn: Connection) -> None:
    """The child process: both fakes on free loopback ports, until told to stop."""
    asyncio.run(_serve_fakes(conn))


# --- the data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    notices: int
    zalo_share: float
    users_per_notice: float = 0.7  # some users follow two dossiers


def _procedure_codes() -> list[str]:
    return sorted(p.stem for p in (ROOT / "data" / "procedures").glob("*.yml"))


def _facts(number: int, dossier_id: int, code: str, status: int, kind: str, procedure: str, now: datetime) -> Facts:
    rng = random.Random(number)
    received = now - timedelta(days=rng.randint(3, 25), hours=rng.randint(0, 8))
    appointment = received + timedelta(days=rng.choice((3, 5, 7, 10, 15)))
    new_appointment = appointment + timedelta(days=rng.choice((3, 5, 7))) if kind == kinds.NEW_DATE or rng.random() < 0.05 else None
    supplement_due = now + timedelta(days=rng.choice((5, 7, 10))) if kind == kinds.SUPPLEMENT and rng.random() < 0.7 else None
    reason: str | None = None
    if kind == kinds.SUPPLEMENT:
        reason = rng.choice(SUPPLEMENT_REASONS)
    elif kind in {kinds.APOLOGY, kinds.NEW_DATE}:
        reason = rng.choice(DELAY_REASONS)
    elif kind == kinds.PAYMENT:
        reason = "Nộp lệ phí 8.000 đồng tại quầy" if rng.random() < 0.5 else None
    channel = rng.choice((1, 1, 2, 3))
    return Facts(dossier_id, code, status, procedure, channel, received, appointment, new_appointment, supplement_due, reason)


async def fill(runtime: Runtime, plan: Plan, now: datetime) -> None:
    """Dossiers, contacts who wrote a few hours ago, and the pending notices (bulk inserts)."""
    procedures = _procedure_codes()
    rng = random.Random(7)
    users = max(1, int(plan.notices * plan.users_per_notice))
    weights = [share for _, _, share in KIND_MIX]
    chosen = rng.choices(range(len(KIND_MIX)), weights=weights, k=plan.notices)
    dossiers: list[dict[str, Any]] = []
    for n in range(plan.notices):
        kind, status, _ = KIND_MIX[chosen[n]]
        day = (now - timedelta(days=n % 30)).astimezone(UTC)
        dossiers.append(
            {"code": f"000.00.31.H26-{day:%y%m%d}-{9000 + n // 30:05d}", "procedure_code": procedures[n % len(procedures)],
             "agency_code": "dan-phuong", "applicant_name": f"Người thử {n}", "applicant_phone": f"09{n:08d}",
             "applicant_id_number": f"{n % 10000:04d}", "status": status, "channel": 1, "updated_at": now}
        )  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        await session.execute(insert(Dossier), dossiers)
        ids = {code: dossier_id for code, dossier_id in await session.execute(select(Dossier.code, Dossier.id))}

    def platform_of(user: int) -> str:
        return "zalo" if (user * 7919 % 1000) < plan.zalo_share * 1000 else "facebook"

    def user_id(user: int) -> str:
        return f"{(4_000_000_000_000_000 if platform_of(user) == 'zalo' else 7_000_000_000_000_000) + user * 104_729}"

    contacts = [
        {"platform": platform_of(u), "user_id": user_id(u), "last_inbound_at": now - timedelta(hours=rng.uniform(0.5, 20)),
         "opted_out": False, "created_at": now - timedelta(days=30)}
        for u in range(users)
    ]  # fmt: skip
    rows = []
    for n, dossier in enumerate(dossiers):
        kind, status, _ = KIND_MIX[chosen[n]]
        dossier_id = ids[dossier["code"]]
        facts = _facts(n, dossier_id, dossier["code"], status, kind, dossier["procedure_code"], now)
        extra = {"missed_at": facts.appointment_at} if kind == kinds.APOLOGY else {}
        user = n % users
        follower = FollowerRef(platform_of(user), user_id(user))
        rows.append(
            {"dedupe_key": key(dossier_id, follower, kind, "bench"), "dossier_id": dossier_id, "platform": follower.platform,
             "user_id": follower.user_id, "kind": kind, "data": facts_data(facts, **extra), "state": "pending",
             "due_at": now - timedelta(seconds=1), "attempts": 0, "parts_sent": 0, "created_at": now - timedelta(seconds=1)}
        )  # fmt: skip
    async with runtime.sessions() as session, session.begin():
        await session.execute(insert(Contact), contacts)
        for start in range(0, len(rows), 2000):
            await session.execute(insert(OutboxMessage), rows[start : start + 2000])


# --- the checks ---------------------------------------------------------------------------------


def window_counts(times: Sequence[float]) -> tuple[int, int]:
    """The most sends in a fixed one-second window (counted from the first send) and in any
    sliding window of one second."""
    if not times:
        return 0, 0
    ordered = sorted(times)
    fixed = max(Counter(int(t - ordered[0]) for t in ordered).values())
    sliding, left = 0, 0
    for right, t in enumerate(ordered):
        while t - ordered[left] >= 1.0:
            left += 1
        sliding = max(sliding, right - left + 1)
    return fixed, sliding


async def expected_parts(runtime: Runtime) -> tuple[Counter[tuple[str, str, str]], dict[str, int]]:
    """Every part each row should have sent, as (platform, user, text), and the rows by state."""
    expected: Counter[tuple[str, str, str]] = Counter()
    office, namer = runtime.dialogue.catalogue.office, ProcedureNamer(runtime.dialogue.catalogue)
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    states = Counter(f"{r.state}/{r.via}" for r in rows)
    short = 0
    for row in rows:
        parts = runtime.delivery.parts(Outgoing(row.platform, row.user_id, render(row.kind, row.data, office, namer), NOTICE))
        short += row.parts_sent != len(parts)
        for part in parts:
            expected[(row.platform, row.user_id, part.text)] += 1
    return expected, {**states, "rows whose parts_sent is not all their parts": short}


class Statements:
    """Counts the statements (by first word) and commits an engine sends, and the time spent in
    them (from the driver call to its answer, waiting for a connection's thread included)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.sync_engine
        self.count: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._started: dict[int, float] = {}
        self._hooks = (("before_cursor_execute", self._before), ("after_cursor_execute", self._after), ("commit", self._commit))
        for name, hook in self._hooks:
            event.listen(self._engine, name, hook)

    def stop(self) -> None:
        for name, hook in self._hooks:
            event.remove(self._engine, name, hook)

    def _before(self, _conn: Any, cursor: Any, *_: Any) -> None:
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, _conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        verb = statement.split(None, 1)[0].upper()
        self.count[verb] += 1
        self.seconds[verb] += time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())

    def _commit(self, _conn: Any) -> None:
        self.count["COMMIT"] += 1

    def summary(self, notices: int) -> str:
        parts = [f"{verb} {n / notices:.2f}" + (f" ({self.seconds[verb] * 1000 / n:.2f} ms each)" if verb in self.seconds else "")
                 for verb, n in self.count.most_common()]  # fmt: skip
        return "statements per notice: " + ", ".join(parts)


def _reset_url(database_url: str | None, tmp: Path) -> str:
    return database_url or f"sqlite+aiosqlite:///{tmp / 'notify.db'}"


def settings_for(url: str, zalo_port: int, graph_port: int, rates: dict[str, float]) -> Settings:
    zalo_base, graph_base = f"http://127.0.0.1:{zalo_port}", f"http://127.0.0.1:{graph_port}"
    return replace(
        Settings(),
        database_url=url,
        nlu_url=f"http://127.0.0.1:{free_port()}",
        nlu_timeout=0.5,
        log_level="WARNING",
        quiet_hours=None,
        send_rates=rates,
        zalo=ZaloSettings("bench-app", "app-secret", "oa-secret", ZALO_TOKEN, "refresh", zalo_base, zalo_base, zalo_base),
        facebook=FacebookSettings("fb-secret", "page-token", "verify-token", graph_base),
    )


def trace_starts(runtime: Runtime, platforms: dict[int, str]) -> dict[str, list[float]]:
    """When the dispatcher's HTTP client starts each request, by platform (wall clock): the
    sends as the rate limit let them go, before the network and the fake's own scheduling."""
    starts: dict[str, list[float]] = {name: [] for name in platforms.values()}

    async def started(_session: aiohttp.ClientSession, _context: SimpleNamespace, params: aiohttp.TraceRequestStartParams) -> None:
        platform = platforms.get(params.url.port or 0)
        if platform is not None:
            starts[platform].append(time.time())

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(started)
    trace.freeze()
    runtime.http.trace_configs.append(trace)
    return starts


async def bench(url: str, plan: Plan, rates: dict[str, float], ports: list[int], statements: bool) -> dict[str, Any]:
    await empty_database(url)
    async with open_runtime(settings_for(url, ports[0], ports[1], rates)) as runtime:
        now = datetime.now(UTC)
        started = time.perf_counter()
        await fill(runtime, plan, now)
        filled = time.perf_counter() - started
        async with runtime.sessions() as session:
            counted = await session.execute(select(OutboxMessage.platform, func.count()).group_by(OutboxMessage.platform))
            by_platform = {platform: count for platform, count in counted}
        counter = Statements(runtime.engine) if statements else None
        starts = trace_starts(runtime, {ports[0]: "zalo", ports[1]: "facebook"})
        cpu_before = time.process_time()
        started = time.perf_counter()
        handled = await runtime.dispatcher.dispatch_due()
        elapsed = time.perf_counter() - started
        if counter is not None:
            counter.stop()
        cpu = time.process_time() - cpu_before
        expected, states = await expected_parts(runtime)
    report: dict[str, Any] = {
        "filled": filled, "by_platform": by_platform, "handled": handled, "elapsed": elapsed, "cpu": cpu,
        "expected": expected, "states": states, "starts": starts,
    }  # fmt: skip
    if counter is not None:
        report["statements"] = counter.summary(max(handled, 1))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--zalo-share", type=float, default=0.5, help="share of the users on Zalo (the rest on Messenger)")
    parser.add_argument("--rate-zalo", type=float, default=200.0, help="SEND_RATE_ZALO, messages/s")
    parser.add_argument("--rate-facebook", type=float, default=250.0, help="SEND_RATE_FACEBOOK, messages/s")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"), help="a throw-away database (emptied first)")
    parser.add_argument("--statements", action="store_true", help="count the SQL statements and commits of the dispatch")
    args = parser.parse_args()
    rates = {"zalo": args.rate_zalo, "facebook": args.rate_facebook}
    plan = Plan(args.notices, args.zalo_share)

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    fakes = context.Process(target=serve_fakes, args=(theirs,), name="fake-platforms", daemon=True)
    fakes.start()
    try:
        ports: list[int] = ours.recv()
        with tempfile.TemporaryDirectory() as tmp:
            url = _reset_url(args.database_url, Path(tmp))
            report = asyncio.run(bench(url, plan, rates, ports, args.statements))
        ours.send("stop")
        seen: dict[str, Any] = ours.recv()
    finally:
        fakes.join(timeout=30)
        if fakes.is_alive():
            fakes.terminate()
    print_report(url, plan, rates, report, seen)


def print_report(url: str, plan: Plan, rates: dict[str, float], report: dict[str, Any], seen: dict[str, Any]) -> None:
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    elapsed, handled = report["elapsed"], report["handled"]
    print(f"{backend}: {plan.notices} notices (by platform {report['by_platform']}), filled in {report['filled']:.1f} s")
    print(f"rates: {rates}; quiet hours off")
    print(
        f"dispatch_due(): {handled} handled in {elapsed:.2f} s = {handled / elapsed:.0f} notices/s; "
        f"dispatcher CPU {report['cpu']:.1f} s ({report['cpu'] / elapsed:.0%} of one core), fakes' CPU {seen['cpu']:.1f} s"
    )
    print(f"rows by state/via: {report['states']}")
    expected: Counter[tuple[str, str, str]] = report["expected"]
    delivered: Counter[tuple[str, str, str]] = Counter()
    refused = 0
    ok = True
    for platform in ("zalo", "facebook"):
        sent: list[Sent] = seen[platform]
        accepted = [s for s in sent if s[3]]
        refused += len(sent) - len(accepted)
        delivered.update((platform, user, text_) for _, user, text_, _ in accepted)
        fixed, sliding = window_counts([s[0] for s in sent])
        sender_fixed, sender_sliding = window_counts(report["starts"][platform])
        span = max(s[0] for s in sent) - min(s[0] for s in sent) if sent else 0.0
        limit = rates[platform]
        within = fixed <= limit and sender_sliding <= limit
        ok &= within
        print(
            f"  {platform}: {len(sent)} requests ({len(accepted)} accepted) over {span:.1f} s = {len(sent) / max(span, 1e-9):.0f}/s; "
            f"most in one second (limit {limit:g}): at the fake fixed {fixed}, sliding {sliding}; "
            f"as sent fixed {sender_fixed}, sliding {sender_sliding}: {'OK' if within else 'OVER THE LIMIT'}"
        )
    duplicates = sum(max(0, n - expected[k]) for k, n in delivered.items() if k in expected)
    missing = sum(max(0, n - delivered[k]) for k, n in expected.items())
    unexpected = sum(n for k, n in delivered.items() if k not in expected)
    print(
        f"parts expected {sum(expected.values())}, delivered {sum(delivered.values())}: duplicates {duplicates}, "
        f"missing {missing}, unexpected {unexpected}, refused {refused}"
    )
    ok &= duplicates == 0 and missing == 0 and unexpected == 0
    goal = handled / elapsed >= 300
    print(f"goal ≥ 300 notices/s: {'met' if goal else 'MISSED'}; checks {'passed' if ok else 'FAILED'}")
    if "statements" in report:
        print(report["statements"])
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
