"""Kill -9: the bot is killed at random moments while it sends a few hundred notices and answers
citizens' messages, and restarted each time, until all is done. Nothing may be lost. A part may
reach its user twice only across a crash (the platform accepted it, the bot died before
recording it: the one window bot/delivery.py admits), never twice from one process, and never
a ZNS template (Zalo drops a repeated ``tracking_id``). Replies keep each user's order.

Between lives the test ends the dead process's leases at once instead of waiting the 2 minutes
a lease lasts (:func:`~tests.reliability.harness.expire_leases`): the same recovery, sooner.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import IO

from sqlalchemy import select

from bot.db import SessionFactory
from bot.dialogue.turn import utc_now
from bot.models import InboxEvent
from nlu.server import free_port
from tests.reliability.harness import (
    FACEBOOK_TAG,
    FACEBOOK_WINDOW,
    ZALO_WINDOW,
    ZALO_ZNS,
    ZNS,
    BotProcess,
    Conversations,
    Fakes,
    Replies,
    Tally,
    bot_env,
    converse,
    expire_leases,
    open_database,
    plan_notices,
    prepare,
    queue_notices,
    replies_to,
    set_zalo_token,
    summary,
    tally_notices,
    unfinished,
    until,
)

SEED = 20261201
KILLS = 50
# Messages per second and process (Zalo, Messenger): slow enough that sending spans many lives.
RATES = (20.0, 8.0)
COUNTS = {ZALO_WINDOW: 90, ZALO_ZNS: 60, FACEBOOK_WINDOW: 90, FACEBOOK_TAG: 60}
CITIZENS = [f"citizen-{n}" for n in range(6)]
QUESTIONS_EACH = 8


async def kill_at_random(bot: BotProcess, fakes: Fakes, rng: random.Random, zns_left: bool) -> str:
    """SIGKILL at a random moment: during start-up, a random time after it is ready, or a few
    milliseconds after a fake got a request, or a ZNS template while some are left (aiming at
    the window between the platform's acceptance and the bot's commit). Which it was."""
    draw = rng.random()
    if draw < 0.1:
        await asyncio.sleep(rng.uniform(0.0, 1.0))
        moment = "start-up"
    else:
        await bot.wait_ready()
        if draw < 0.45:
            await asyncio.sleep(rng.uniform(0.0, 1.5))
            moment = "timed"
        elif draw < 0.8 or not zns_left:
            target = fakes.requests() + rng.randint(1, 6)
            await until(lambda: fakes.requests() >= target, 3.0, every=0.001)  # nothing left to send: kill all the same
            await asyncio.sleep(rng.uniform(0.0, 0.02))
            moment = "after a request"
        else:
            target = zns_requests(fakes) + 1
            await until(lambda: zns_requests(fakes) >= target, 3.0, every=0.001)
            await asyncio.sleep(rng.uniform(0.0, 0.005))
            moment = "after a ZNS send"
    await bot.kill()
    return moment


def zns_requests(fakes: Fakes) -> int:
    return sum(r.path == ZNS for r in fakes.zalo.requests)


@dataclass
class Lives:
    """What the kills found: when they struck, how often work was in progress, leases freed."""

    moments: Counter[str] = field(default_factory=Counter)
    busy: int = 0
    freed: int = 0

    @property
    def kills(self) -> int:
        return sum(self.moments.values())


async def live_and_die(
    sessions: SessionFactory, fakes: Fakes, env: Callable[[int], dict[str, str]], log: IO[bytes], lives: Lives
) -> BotProcess:
    """``KILLS`` lives, each killed at a random moment, then one more left running to finish.
    Each life has its own tokens: what a fake accepted names the life that sent it."""
    rng = random.Random(SEED)

    async def start(life: int) -> BotProcess:
        await set_zalo_token(sessions, fakes, f"zalo-life-{life}")
        bot = BotProcess(env(life), log)
        await bot.start()
        return bot

    for life in range(1, KILLS + 1):
        bot = await start(life)
        try:
            zns_left = len(fakes.zalo.tracking_ids) < COUNTS[ZALO_ZNS]
            lives.moments[await kill_at_random(bot, fakes, rng, zns_left)] += 1
        finally:
            await bot.kill()
        lives.busy += any(await unfinished(sessions))
        lives.freed += await expire_leases(sessions)
    return await start(KILLS + 1)


async def test_killed_at_random_the_bot_loses_nothing_and_repeats_only_across_a_crash(
    fakes: Fakes, database_url: str, bot_log: IO[bytes]
) -> None:
    """300 notices (Zalo in the window and by ZNS after it, Messenger in the window and tagged
    after it, some in two parts) and 48 questions of 6 citizens, through 50 kills."""
    started = time.monotonic()
    planned = plan_notices(COUNTS, utc_now())
    engine, sessions = await open_database(database_url)
    port = free_port()
    lives = Lives()
    bot: BotProcess | None = None
    talk: asyncio.Task[Conversations] | None = None

    async def done() -> bool:
        return await unfinished(sessions) == (0, 0)

    try:
        await prepare(sessions, planned, fakes)
        assert await queue_notices(sessions, planned) == len(planned)
        talk = asyncio.create_task(converse([f"http://127.0.0.1:{port}"], CITIZENS, QUESTIONS_EACH, SEED, (1.0, 4.0), within=240))
        env = partial(_env, database_url, port, fakes)
        bot = await live_and_die(sessions, fakes, env, bot_log, lives)
        await bot.wait_ready()
        talks = await talk
        assert await until(done, 120, every=0.2), f"still unfinished (notices, events): {await unfinished(sessions)}"
        assert await bot.stop() == 0
        notices = await tally_notices(sessions, planned, fakes)
        async with sessions() as session:
            inbox = Counter(await session.scalars(select(InboxEvent.state)))
    finally:
        if talk is not None and not talk.done():
            talk.cancel()
        if bot is not None:
            await bot.kill()
        await engine.dispose()

    assert lives.kills == KILLS and lives.busy >= KILLS // 2, f"only {lives.busy} of the {lives.kills} kills found work in progress"
    assert notices.problems(len(planned)) == []
    replies = {user: replies_to(fakes, user) for user in CITIZENS}
    assert {user: r.phrases for user, r in replies.items()} == talks.expected, "replies lost, unexpected or out of order"
    assert inbox == {"sent": len(CITIZENS) * QUESTIONS_EACH}, inbox
    copies = [*notices.duplicates.values(), *([first, copy] for r in replies.values() for _, first, copy in r.copies)]
    assert all(len(set(senders)) == len(senders) for senders in copies), f"a process sent a part twice: {copies}"
    assert not [key for key in notices.duplicates if key[0] == "zns"], "a ZNS template arrived twice"
    duplicates = sum(len(senders) - 1 for senders in copies)
    print(_report(database_url, lives, notices, replies, talks, fakes, duplicates, time.monotonic() - started))
    assert duplicates <= lives.kills


def _env(database_url: str, port: int, fakes: Fakes, life: int) -> dict[str, str]:
    return bot_env(database_url, port, fakes, f"zalo-life-{life}", f"page-life-{life}", RATES)


def _report(
    database_url: str,
    lives: Lives,
    notices: Tally,
    replies: dict[str, Replies],
    talks: Conversations,
    fakes: Fakes,
    duplicates: int,
    seconds: float,
) -> str:
    reply_parts = sum(len(r.phrases) + len(r.copies) for r in replies.values())
    dropped = len(fakes.zalo.repeated_tracking_ids)
    refused = sum(not r.accepted for r in [*fakes.zalo.requests, *fakes.graph.requests]) - dropped
    return (
        f"\nkill test ({database_url.split(':', maxsplit=1)[0]}): {lives.kills} kills ({summary(lives.moments.items())}), "
        f"{lives.busy} with work in progress, {lives.freed} leases ended early; {sum(notices.states.values())} notices, "
        f"{notices.deliveries} notice parts and {reply_parts} replies delivered; duplicates {duplicates} (notices "
        f"{notices.duplicate_count}, replies {duplicates - notices.duplicate_count}); ZNS sends dropped by tracking_id {dropped}; "
        f"requests refused {refused}; webhook posts redelivered {talks.redelivered}; {seconds:.0f} s"
    )
