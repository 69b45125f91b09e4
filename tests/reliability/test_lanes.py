"""One lane per platform: Zalo's few sends a second do not hold back Messenger's notices."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp

from bot.catalog.catalogue import load_catalogue
from bot.delivery import Delivery, RateLimit
from bot.dialogue.turn import utc_now
from bot.notify.dispatch import Dispatcher
from bot.runtime import ProcedureNamer
from connectors.base import Sender
from connectors.facebook import GraphClient
from connectors.zalo import ZaloClient
from connectors.zalo_tokens import ZaloTokens
from tests.connectors.conftest import APP_ID
from tests.reliability.harness import (
    AGENCY,
    DATA,
    FACEBOOK_WINDOW,
    ZALO_WINDOW,
    Fakes,
    open_database,
    plan_notices,
    prepare,
    queue_notices,
    tally_notices,
)

ZALO_RATE = 8.0  # sends a second: Zalo's 40 notices (more parts) take over 5 s


async def test_a_rate_limited_platform_does_not_hold_back_the_other(fakes: Fakes, database_url: str) -> None:
    # Zalo's notices first in the queue, more of them than the dispatcher sends at once.
    zalo = plan_notices({ZALO_WINDOW: 40}, utc_now())
    facebook = [replace(p, code=p.code.replace("-261201-", "-261202-")) for p in plan_notices({FACEBOOK_WINDOW: 8}, utc_now())]
    planned = zalo + facebook
    engine, sessions = await open_database(database_url)
    try:
        await prepare(sessions, planned, fakes)
        assert await queue_notices(sessions, zalo) + await queue_notices(sessions, facebook) == len(planned)
        async with sessions() as session:
            catalogue = await load_catalogue(session, DATA, AGENCY)
        async with aiohttp.ClientSession() as http:
            tokens = ZaloTokens(sessions, http, fakes.zalo_url, APP_ID, "app-secret", utc_now)
            senders: dict[str, Sender] = {
                "zalo": ZaloClient(http, fakes.zalo_url, tokens),
                "facebook": GraphClient(http, fakes.graph_url, "page-1"),
            }
            delivery = Delivery(senders, utc_now, RateLimit({"zalo": ZALO_RATE}))
            dispatching = asyncio.create_task(
                Dispatcher(sessions, delivery, catalogue.office, ProcedureNamer(catalogue), utc_now, None).dispatch_due()
            )
            zalo_sent = {"facebook done": -1}
            while not dispatching.done():
                if zalo_sent["facebook done"] < 0 and len([r for r in fakes.graph.requests if r.accepted]) >= 8:
                    zalo_sent["facebook done"] = len([r for r in fakes.zalo.requests if r.accepted])
                await asyncio.sleep(0.01)
            assert await dispatching == len(planned)
        notices = await tally_notices(sessions, planned, fakes)
    finally:
        await engine.dispose()
    assert notices.problems(len(planned)) == []  # every notice sent once, with all its parts
    # With one queue, Messenger's notices would wait for free sending slots behind the Zalo
    # notices held by the rate limit: at least 8 Zalo notices done first. With a lane each, they
    # go at once.
    assert 0 <= zalo_sent["facebook done"] < 8, f"Messenger waited: {zalo_sent['facebook done']} Zalo parts went first"
