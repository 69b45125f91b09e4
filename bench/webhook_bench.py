"""Webhook benchmark: acknowledgement latency, answered events per second and the backlog (Zalo route).

Usage: .venv/bin/python -m bench.webhook_bench [--rate 300] [--seconds 60] [--users 500] [--nlu keywords|rasa]
           [--bots 1] [--nlu-servers 1] [--nginx] [--send-rate-zalo N] [--database-url URL] [--drain-timeout 240]
       scripts/with-postgres .venv/bin/python -m bench.webhook_bench   # uses TEST_DATABASE_URL

Starts the real bot (``python -m bot run``; ``--bots N``: N processes on one database, the
events spread over them in turn, or by Debian's nginx with the deployment's routes: ``--nginx``) with Zalo enabled and its API
pointed at a fake Zalo server in this process, then sends signed ``user_send_text`` events
at a fixed rate (open loop: a slow answer does not slow the sender) and measures the time
to each 200. Each of ``--users`` users sends its questions in turn (a different one each
time). The inbox worker answers meanwhile: with keywords (``--nlu keywords``: NLU_URL points
nowhere), or with the real Rasa server started here (``--nlu rasa``: ``python -m nlu serve`` on
a free port, the newest model in models/, about 15 s to start; ``--nlu-servers N``: N of them,
all in NLU_URL).

After the sending stops the bench waits (without blocking its event loop, so the fake Zalo
keeps answering) until every event is answered or ``--drain-timeout`` passes, then reads the
inbox rows: answered events per second while sending (whole run and its second half), the
time to drain the backlog after the sending stopped, the time from receipt to answer, and
whether each user's events were finished in the order they came, and whether the fake got any
part beyond those the bot recorded as sent (a duplicate).
Everything on 127.0.0.1; the database is a fresh SQLite file unless ``--database-url`` (or
TEST_DATABASE_URL) names a throw-away one (emptied first).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bench.nlu_bench import percentile
from bot.config import ROOT
from bot.db import make_engine
from bot.models import InboxEvent
from nlu.__main__ import newest_model
from nlu.server import free_port, running_server
from tests.fakes.platforms import FakeZalo
from tests.nginx import front
from tests.throwaway import empty_database

APP_ID, OA_SECRET = "1234567890", "bench-oa-secret-key"
TEXTS = [
    "xin chào",
    "làm giấy khai sinh cần giấy tờ gì",
    "phi chung thuc chu ky bao nhieu",
    "đăng ký tạm trú ở đâu",
    "đăng ký kết hôn mất bao lâu",
    "cấp lại giấy khai sinh thì làm thế nào",
]
ACTIVE = ("new", "answered")


def user_of(number: int, users: int) -> str:
    return f"user{number % users}"


def text_of(number: int, users: int) -> str:
    """A user's successive events ask different questions (their answers tell them apart)."""
    return TEXTS[(number // users) % len(TEXTS)]


def signed_event(number: int, users: int) -> tuple[bytes, str]:
    stamp = str(int(time.time() * 1000))
    body = {
        "event_name": "user_send_text", "app_id": APP_ID, "sender": {"id": user_of(number, users)}, "recipient": {"id": "oa"},
        "message": {"text": text_of(number, users), "msg_id": f"bench-{number}"}, "timestamp": stamp,
    }  # fmt: skip
    raw = json.dumps(body, ensure_ascii=False).encode()
    mac = hashlib.sha256(APP_ID.encode() + raw + stamp.encode() + OA_SECRET.encode()).hexdigest()
    return raw, f"mac={mac}"


LOGS: dict[int, Path] = {}


def start_bot(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=out)
    LOGS[proc.pid] = log
    return proc


def _tail(proc: subprocess.Popen[bytes]) -> str:
    return LOGS[proc.pid].read_text(errors="replace")[-3000:]


async def wait_ready(url: str, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if proc.poll() is not None:
                raise SystemExit(f"the bot exited before it was ready: {proc.args!r}; its log:\n{_tail(proc)}")
            try:
                async with http.get(f"{url}/healthz") as resp:
                    if resp.status == 200:
                        health: dict[str, Any] = await resp.json()
                        return health
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the bot did not start")


async def stop_bot(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then wait in a thread: the event loop (and the fake Zalo the bot is still
    sending to while it finishes its events in hand) keeps running meanwhile."""
    proc.terminate()
    try:
        await asyncio.to_thread(proc.wait, 60)
    except subprocess.TimeoutExpired:
        print("the bot did not stop within 60 s: killed", file=sys.stderr)
        proc.kill()
        await asyncio.to_thread(proc.wait)


@dataclass(frozen=True)
class Load:
    latencies: list[float]  # ms from sending each event to its 200
    failures: int  # not 200, or no answer
    started: float  # wall clock: the first event sent
    stopped: float  # the last event sent
    acknowledged: float  # the last 200 received


async def load(urls: list[str], rate: int, seconds: int, users: int) -> Load:
    """Send the events at ``rate`` per second (open loop) and wait for every acknowledgement."""
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(number: int) -> None:
            nonlocal failures
            raw, signature = signed_event(number, users)
            started = time.perf_counter()
            try:
                url = urls[number % len(urls)]
                async with http.post(f"{url}/webhooks/zalo", data=raw, headers={"X-ZEvent-Signature": signature}) as resp:
                    await resp.read()
                    if resp.status != 200:
                        failures += 1
            except aiohttp.ClientError:
                failures += 1
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        wall_start, start = time.time(), time.perf_counter()
        for number in range(rate * seconds):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(number)))
        stopped = time.time()
        await asyncio.gather(*tasks)
    return Load(latencies, failures, wall_start, stopped, time.time())


async def drain(database_url: str, expected: int, patience: float) -> bool:
    """Wait until every event is stored and answered (polled twice a second); False when it takes longer than ``patience`` seconds."""
    engine = make_engine(database_url)
    deadline = time.monotonic() + patience
    try:
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                stored = int(await conn.scalar(select(func.count()).select_from(InboxEvent)) or 0)
                left = int(await conn.scalar(select(func.count()).where(InboxEvent.state.in_(ACTIVE))) or 0)
            if stored >= expected and left == 0:
                return True
            await asyncio.sleep(0.5)
        return False
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Row:
    id: int
    user_id: str
    state: str
    received_at: datetime
    done_at: datetime | None
    parts_sent: int  # the reply's parts the bot recorded as accepted by the platform


async def read_rows(database_url: str) -> list[Row]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            query = select(
                InboxEvent.id, InboxEvent.user_id, InboxEvent.state, InboxEvent.received_at, InboxEvent.done_at, InboxEvent.parts_sent
            ).order_by(InboxEvent.id)
            return [Row(*r) for r in await conn.execute(query)]
    finally:
        await engine.dispose()


def order_kept(rows: list[Row], fake: FakeZalo) -> tuple[int, int, int]:
    """Users whose events were finished in the order they came, and users checked (those
    whose every event was answered); and the parts the fake accepted beyond those the bot
    recorded as sent (a part sent twice; the replies themselves are not kept once sent)."""
    finished: dict[str, list[datetime]] = defaultdict(list)
    for row in rows:  # by id: the order the events were stored
        if row.done_at is not None:
            finished[row.user_id].append(row.done_at)
    unfinished = {row.user_id for row in rows if row.state in ACTIVE}
    checked = [user for user in finished if user not in unfinished]
    good = sum(1 for user in checked if finished[user] == sorted(finished[user]))
    accepted = sum(1 for r in fake.requests if r.accepted)
    return good, len(checked), accepted - sum(row.parts_sent for row in rows)


def per_second(times: list[float], start: float, end: float) -> list[int]:
    counts = Counter(int(t - start) for t in times if start <= t < end)
    return [counts.get(second, 0) for second in range(int(end - start))]


async def main_async(args: argparse.Namespace, database_url: str, nlu_url: str, tmp: Path) -> bool:
    await empty_database(database_url)
    fake = FakeZalo(access_token="bench-token")
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    ports: list[int] = []
    while len(ports) < args.bots:
        ports += [port for port in [free_port()] if port not in ports]
    env = {
        **os.environ, "LOG_LEVEL": "WARNING", "NLU_URL": nlu_url, "DATABASE_URL": database_url,
        "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": "app-secret", "ZALO_OA_SECRET_KEY": OA_SECRET,
        "ZALO_ACCESS_TOKEN": "bench-token", "ZALO_REFRESH_TOKEN": "refresh",
        "ZALO_API_BASE": str(server.make_url("")).rstrip("/"), "ZALO_OAUTH_BASE": str(server.make_url("")).rstrip("/"),
    }  # fmt: skip
    if args.nlu == "keywords":
        env["NLU_TIMEOUT"] = "0.5"
    if args.send_rate_zalo:
        env["SEND_RATE_ZALO"] = str(args.send_rate_zalo)
    procs = [start_bot(env | {"BOT_PORT": str(port)}, tmp / f"bot-{port}.log") for port in ports]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        health = {}
        for url, proc in zip(urls, procs, strict=True):
            health = await wait_ready(url, proc)
        expected = args.rate * args.seconds
        async with contextlib.AsyncExitStack() as stack:
            targets = [await stack.enter_async_context(front(tmp / "nginx", ports))] if args.nginx else urls
            sent = await load(targets, args.rate, args.seconds, args.users)
        drained = await drain(database_url, expected - sent.failures, args.drain_timeout)
        waited = time.time() - sent.stopped
        rows = await read_rows(database_url)
    finally:
        for proc in procs:
            await stop_bot(proc)
        await server.close()
    lines = await asyncio.to_thread(_log_lines, tmp)
    fallbacks = sum("NLU server unavailable" in line for line in lines)
    problems = [line for line in lines if " ERROR " in line or "Traceback" in line]
    return report(args, database_url, health, sent, drained, waited, rows, fake, fallbacks, problems)


def _log_lines(tmp: Path) -> list[str]:
    return [line for path in sorted(tmp.glob("bot-*.log")) for line in path.read_text(errors="replace").splitlines()]


def report(
    args: argparse.Namespace,
    database_url: str,
    health: dict[str, Any],
    sent: Load,
    drained: bool,
    waited: float,
    rows: list[Row],
    fake: FakeZalo,
    fallbacks: int,
    problems: list[str],
) -> bool:
    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    sending = sent.stopped - sent.started
    done = sorted(r.done_at.timestamp() for r in rows if r.done_at is not None)
    states = Counter(r.state for r in rows)
    during = per_second(done, sent.started, sent.stopped)
    half = during[len(during) // 2 :]
    steady = sum(half) / max(len(half), 1)
    answered_during = sum(1 for t in done if t < sent.stopped)
    last = done[-1] if done else sent.stopped
    waits = [(r.done_at - r.received_at).total_seconds() for r in rows if r.done_at is not None]
    good, checked, extra = order_kept(rows, fake)
    timeline = per_second(done, sent.started, max(last, sent.stopped) + 1)
    fives = [sum(timeline[i : i + 5]) // 5 for i in range(0, len(timeline), 5)]
    lat = sent.latencies
    rate = f"SEND_RATE_ZALO {args.send_rate_zalo:g}" if args.send_rate_zalo else "SEND_RATE_ZALO default (50)"
    through = "through nginx" if args.nginx else "spread by the bench"
    print(f"{backend}, {args.bots} bot process(es) {through}, NLU {args.nlu} x{args.nlu_servers}, {rate} (health at start: {health})")
    print(f"  {len(lat)} events from {args.users} users, sent at {args.rate}/s for {sending:.1f} s")
    print(
        f"  ack: {sent.failures} not 200; p50 {percentile(lat, 0.5):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms, max {max(lat):.1f} ms; "
        f"last 200 {sent.acknowledged - sent.stopped:.1f} s after the last event was sent"
    )
    print(
        f"  answered while sending: {answered_during} = {answered_during / sending:.0f}/s; in its second half {steady:.0f}/s "
        f"(per second: min {min(half, default=0)}, max {max(half, default=0)})"
    )
    print(f"  answered per second, mean of each 5 s from the first event: {fives}")
    backlog = len(rows) - answered_during
    if drained:
        drain_seconds = max(0.0, last - sent.stopped)
        print(
            f"  backlog when the sending stopped: {backlog} events, drained in {drain_seconds:.1f} s "
            f"({backlog / max(drain_seconds, 1e-9):.0f}/s); all {len(rows)} answered {last - sent.started:.1f} s after the first was sent "
            f"= {len(rows) / (last - sent.started):.0f}/s overall"
        )
    else:
        left = sum(states[s] for s in ACTIVE)
        print(f"  backlog NOT drained: {left} of {len(rows)} still unanswered {waited:.0f} s after the sending stopped")
    print(
        f"  receipt to answer: p50 {percentile(waits, 0.5):.1f} s, p99 {percentile(waits, 0.99):.1f} s, max {max(waits, default=0):.1f} s; "
        f"rows by state {dict(states)}; replies received by the fake {len(fake.requests)}"
    )
    print(f"  reply parts recorded as sent {sum(r.parts_sent for r in rows)}; accepted by the fake beyond them (duplicates): {extra}")
    print(
        f"  per-user order kept for {good} of {checked} users (those with every event answered); "
        f"NLU fallbacks logged {fallbacks}; errors logged {len(problems)}"
    )
    for line in problems[:5]:
        print(f"    {line}")
    print(f"  goal ≥ 150 answered/s sustained: {'met' if steady >= 150 else 'missed'} ({steady:.0f}/s in the second half of the sending)")
    return drained and good == checked and sent.failures == 0 and extra == 0


@contextlib.contextmanager
def nlu_server(kind: str, tmp: Path, count: int = 1) -> Iterator[str]:
    """NLU_URL: nowhere (keywords), or ``count`` Rasa servers started here."""
    if kind == "keywords":
        yield f"http://127.0.0.1:{free_port()}"  # nothing listens there: keyword mode
        return
    model = newest_model()
    if model is None:
        raise SystemExit("no NLU model in models/: run `python -m nlu train` first")
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(running_server(model, tmp / f"rasa-{n}.log")) for n in range(count)]
        print(f"{count} Rasa NLU server(s) with {model.name} ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        yield ",".join(urls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--nlu", choices=("keywords", "rasa"), default="keywords")
    parser.add_argument("--bots", type=int, default=1, help="bot processes on the one database")
    parser.add_argument("--nlu-servers", type=int, default=1, help="Rasa servers (with --nlu rasa)")
    parser.add_argument("--nginx", action="store_true", help="send through Debian's nginx (deploy/nginx/onestop-locations.conf)")
    parser.add_argument("--send-rate-zalo", type=float, default=None, help="SEND_RATE_ZALO for the bot (default: the bot's, 50/s)")
    parser.add_argument("--drain-timeout", type=float, default=240.0, help="seconds to wait for the backlog after the sending")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"), help="a throw-away database (emptied first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, nlu_server(args.nlu, Path(tmp), args.nlu_servers) as nlu_url:
        database_url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        ok = asyncio.run(main_async(args, database_url, nlu_url, Path(tmp)))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
