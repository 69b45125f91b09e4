"""Two bot processes on one PostgreSQL database, as a deployment with two replicas runs: the
outbox both dispatch reaches every follower exactly once (claims with ``FOR UPDATE SKIP
LOCKED``, leases checked on every write), and a citizen whose messages land on either process
is answered in order, each message once (only a user's oldest unfinished event is claimable).
SQLite has one writer at a time and is not meant for two processes: that test needs PostgreSQL.

Two smaller tests, on both databases, pin what replicas rely on: one claim takes one batch
(the rest is left to the others), and processes starting at once all start.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter
from typing import IO

import aiohttp
import pytest
from sqlalchemy import delete, func, select

from bot.catalog.catalogue import load_catalogue
from bot.delivery import Delivery
from bot.dialogue.turn import utc_now
from bot.models import InboxEvent, OutboxMessage, PlatformToken
from bot.notify.dispatch import BATCH, Dispatcher
from connectors.zalo_tokens import ZaloTokens
from nlu.server import free_port
from tests.connectors.conftest import APP_ID
from tests.reliability.harness import (
    AGENCY,
    DATA,
    FACEBOOK_TAG,
    FACEBOOK_WINDOW,
    ZALO_WINDOW,
    ZALO_ZNS,
    BotProcess,
    Fakes,
    arrivals,
    bot_env,
    converse,
    open_database,
    plan_notices,
    prepare,
    queue_notices,
    replies_to,
    tally_notices,
    unfinished,
    until,
)

needs_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="two bot processes need PostgreSQL (TEST_DATABASE_URL; scripts/with-postgres sets it)",
)

SEED = 20261202
COUNTS = {ZALO_WINDOW: 200, ZALO_ZNS: 100, FACEBOOK_WINDOW: 200, FACEBOOK_TAG: 100}
# Per process: a claimed batch (200 notices) takes seconds, so the other process claims meanwhile.
RATES = (25.0, 25.0)
IMPORT_BATCH = 100
CITIZENS = [f"citizen-{n}" for n in range(5)]
QUESTIONS_EACH = 8


@needs_postgresql
async def test_two_bots_send_every_part_once_and_answer_each_user_in_order(fakes: Fakes, database_url: str, bot_log: IO[bytes]) -> None:
    """Nothing is killed here, so no part may arrive twice, nor even be tried twice; the notices
    are imported in batches while both run, and each bot has its own page token: the Messenger
    parts show that both took part."""
    started = time.monotonic()
    planned = plan_notices(COUNTS, utc_now())
    engine, sessions = await open_database(database_url)
    ports = [free_port()]
    while len(ports) < 2:
        ports += [port for port in [free_port()] if port not in ports]
    bots = [BotProcess(bot_env(database_url, port, fakes, "zalo-life-1", f"page-{n}", RATES), bot_log) for n, port in enumerate(ports, 1)]

    async def done() -> bool:
        return await unfinished(sessions) == (0, 0)

    try:
        await prepare(sessions, planned, fakes)
        await asyncio.gather(*(bot.start() for bot in bots))
        await asyncio.gather(*(bot.wait_ready() for bot in bots))
        talk = asyncio.create_task(converse([bot.url for bot in bots], CITIZENS, QUESTIONS_EACH, SEED, (0.0, 0.5), within=120))
        for start in range(0, len(planned), IMPORT_BATCH):  # while both bots run
            batch = planned[start : start + IMPORT_BATCH]
            assert await queue_notices(sessions, batch) == len(batch)
            await asyncio.sleep(0.5)  # pacing: the one-stop system pushes changes over time
        talks = await talk
        assert await until(done, 120, every=0.2), f"still unfinished (notices, events): {await unfinished(sessions)}"
        assert [await bot.stop() for bot in bots] == [0, 0]
        notices = await tally_notices(sessions, planned, fakes)
        async with sessions() as session:
            inbox = Counter(await session.scalars(select(InboxEvent.state)))
    finally:
        for bot in bots:
            await bot.kill()
        await engine.dispose()

    assert notices.problems(len(planned)) == []
    copies = [f"to {key[1]} from {senders}" for key, senders in notices.duplicates.items()]
    assert copies == [], f"{len(copies)} parts arrived more than once"
    assert not fakes.zalo.repeated_tracking_ids, "a ZNS template was sent twice (Zalo dropped the copy)"
    refused = [r.path for r in [*fakes.zalo.requests, *fakes.graph.requests] if not r.accepted]
    assert not refused, f"{len(refused)} requests refused: nothing may be tried twice or outside a window"
    by_process = Counter(a.sender for a in arrivals(fakes) if a.key[0] == "facebook")
    assert set(by_process) == {"page-1", "page-2"}, f"one process sent everything: {by_process}"
    replies = {user: replies_to(fakes, user) for user in CITIZENS}
    assert {user: r.phrases for user, r in replies.items()} == talks.expected, "replies lost, unexpected or out of order"
    assert not [r.copies for r in replies.values() if r.copies], "a reply arrived twice"
    assert inbox == {"sent": len(CITIZENS) * QUESTIONS_EACH}, inbox
    print(
        f"\ntwo processes: {len(planned)} notices, {notices.deliveries} parts delivered, 0 duplicates; Messenger parts by "
        f"process {dict(sorted(by_process.items()))}; {sum(len(r.phrases) for r in replies.values())} replies to "
        f"{len(CITIZENS)} users in order; {time.monotonic() - started:.0f} s"
    )


async def test_one_claim_takes_one_batch_and_leaves_the_rest_to_other_processes(
    fakes: Fakes, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A dispatch pass asked for ``BATCH`` notices leases that many, not every due one: what
    another process (or this one's next pass) can take depends on it."""
    caplog.set_level(logging.ERROR, logger="bot.notify.dispatch")  # not the warning of each notice that fails
    planned = plan_notices({ZALO_WINDOW: 300, FACEBOOK_WINDOW: 300}, utc_now())
    engine, sessions = await open_database(database_url)
    try:
        await prepare(sessions, planned, fakes)
        assert await queue_notices(sessions, planned) == len(planned)
        async with sessions() as session:
            office = (await load_catalogue(session, DATA, AGENCY)).office
        # No platform configured: each claimed notice fails at once, nothing is sent.
        dispatcher = Dispatcher(sessions, Delivery({}, utc_now), office, lambda code: None, utc_now, None)
        handled = await dispatcher.dispatch_due(limit=BATCH)
        async with sessions() as session:
            states = Counter(await session.scalars(select(OutboxMessage.state)))
    finally:
        await engine.dispose()
    assert (handled, states) == (BATCH, {"failed": BATCH, "pending": len(planned) - BATCH}), (
        f"one claim leased {handled} notices, not {BATCH} (bot/notify/dispatch.py, Dispatcher._claim): {states}"
    )


async def test_processes_starting_at_once_store_the_zalo_token_once(database_url: str) -> None:
    """Replicas start together on a new database and each seeds the Zalo token from its
    settings: none may fail on another's insert (a bot that cannot start answers nobody)."""
    engine, sessions = await open_database(database_url)
    try:
        async with aiohttp.ClientSession() as http:
            for attempt in range(5):  # the race is lost most of the time, not every time
                async with sessions() as session, session.begin():
                    await session.execute(delete(PlatformToken))
                starting = [ZaloTokens(sessions, http, "http://127.0.0.1", APP_ID, "app-secret", utc_now) for _ in range(2)]
                results = await asyncio.gather(*(t.seed(f"token-{n}", "refresh") for n, t in enumerate(starting)), return_exceptions=True)
                failed = [r for r in results if r is not None]
                assert failed == [], f"attempt {attempt}: a process could not start (connectors/zalo_tokens.py, seed)"
                async with sessions() as session:
                    assert await session.scalar(select(func.count()).select_from(PlatformToken)) == 1
    finally:
        await engine.dispose()
