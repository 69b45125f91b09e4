"""The deployment's smoke test, on loopback only: PostgreSQL, two bot processes and one Rasa
server behind Debian's nginx with deploy/nginx/onestop-locations.conf. Signed Zalo and
Messenger webhooks through nginx get exactly one reply each; one bot process is killed and the
other keeps answering (nginx sends the webhooks it cannot deliver to the next process);
``/metrics`` of the survivor counts what happened, and nginx does not serve it.

Needs PostgreSQL (TEST_DATABASE_URL, as scripts/with-postgres sets: skipped on SQLite) and
nginx (skipped without it, unless SMOKE_TESTS=required, as .ci/run sets after installing it).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import aiohttp
import pytest

from bot.catalog.loader import load_agencies, load_procedures
from bot.catalog.store import upsert_agencies, upsert_procedures
from bot.db import SessionFactory
from bot.dialogue.turn import utc_now
from bot.models import PlatformToken
from connectors.facebook import SIGNATURE_HEADER as FACEBOOK_SIGNATURE
from nlu.server import free_port
from tests.connectors.conftest import facebook_signature, messenger_batch, text_event
from tests.nginx import NGINX, front
from tests.reliability.conftest import bot_log, fakes  # noqa: F401  (fixtures)
from tests.reliability.harness import DATA, BotProcess, Fakes, bot_env, converse, open_database, replies_to, unfinished, until

HAS_NGINX = NGINX.exists()
USERS = [f"70000000000000000{n:02d}" for n in range(6)]
AFTER = [f"70000000000000001{n:02d}" for n in range(6)]  # the harness numbers messages per user: new users after the kill
PSIDS = [f"2600000000000{n:02d}" for n in range(4)]
ZALO_TOKEN = "zalo-life-1"  # the fake Zalo's (tests/reliability/conftest.py)


@pytest.fixture
async def nginx(tmp_path: Path) -> AsyncIterator[tuple[str, list[int]]]:
    """nginx in front of two bot ports (not yet listening): its URL, and the ports."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("two bot processes need PostgreSQL (TEST_DATABASE_URL; scripts/with-postgres sets it)")
    if not HAS_NGINX:
        missing = f"{NGINX} is missing: apt-get install nginx (CI does)"
        if os.environ.get("SMOKE_TESTS") == "required":
            pytest.fail(f"SMOKE_TESTS=required but {missing}")
        pytest.skip(missing)
    bots = [free_port(), free_port()]
    async with front(tmp_path / "nginx", bots) as url:
        yield url, bots


async def test_two_bots_and_rasa_behind_nginx(
    nginx: tuple[str, list[int]],
    rasa_server: tuple[str, Path],
    fakes: Fakes,  # noqa: F811
    bot_log: IO[bytes],  # noqa: F811
) -> None:
    entry, bot_ports = nginx
    database_url = os.environ["TEST_DATABASE_URL"]
    engine, sessions = await open_database(database_url)
    async with sessions() as session, session.begin():
        await upsert_agencies(session, load_agencies(DATA / "agencies.yml"))
        await upsert_procedures(session, load_procedures(DATA / "procedures"))
        session.add(PlatformToken(platform="zalo", access_token=ZALO_TOKEN, refresh_token="refresh", updated_at=utc_now()))
    bots = []
    for n, bot_port in enumerate(bot_ports, 1):
        env = bot_env(database_url, bot_port, fakes, ZALO_TOKEN, f"page-{n}", (50.0, 250.0))
        env |= {"NLU_URL": rasa_server[0], "NLU_TIMEOUT": "5", "TRUSTED_PROXIES": "127.0.0.1"}
        bots.append(BotProcess(env, bot_log))
    try:
        for bot in bots:
            await bot.start()
        await asyncio.gather(*(bot.wait_ready() for bot in bots))

        # Zalo: six citizens, three questions each, through nginx.
        first = await converse([entry], USERS, per_user=3, seed=1, pause=(0.0, 0.05), within=60)
        assert await until(lambda: all(len(replies_to(fakes, u).phrases) == 3 for u in USERS), 60), _log(bot_log)
        # Messenger: four citizens, one message each, in one signed batch.
        batch = messenger_batch(*(text_event(psid, f"mid-{psid}", "làm giấy khai sinh cần giấy tờ gì") for psid in PSIDS))
        async with aiohttp.ClientSession() as http:
            posted = await http.post(f"{entry}/webhooks/facebook", data=batch, headers={FACEBOOK_SIGNATURE: facebook_signature(batch)})
            assert posted.status == 200
            assert await until(lambda: all(len(fakes.graph.delivered(p)) == 1 for p in PSIDS), 60), _log(bot_log)

            # Every row finished (a row the killed process still held would wait out its 2-minute
            # lease: tests/reliability/test_kill.py covers that), then a crash: nginx finds the
            # port closed and sends everything to the other process.
            assert await until(lambda: _idle(sessions), 30)
            await bots[0].kill()
            second = await converse([entry], AFTER, per_user=3, seed=2, pause=(0.0, 0.05), within=60)
            assert await until(lambda: all(len(replies_to(fakes, u).phrases) == 3 for u in AFTER), 60), _log(bot_log)
            await asyncio.sleep(1)  # anything sent twice would arrive by now
            for user, expected in (first.expected | second.expected).items():
                replies = replies_to(fakes, user)
                assert replies.phrases == expected and not replies.copies, user
            assert all(len(fakes.graph.delivered(p)) == 1 for p in PSIDS)

            async with http.get(f"http://127.0.0.1:{bot_ports[1]}/metrics") as resp:
                page = await resp.text()
            async with http.get(f"{entry}/metrics") as resp:
                assert resp.status == 404  # not through nginx
        assert _sample(page, 'onestop_inbound_events_total{kind="text",platform="zalo"}') >= 18  # the second round at least
        assert _sample(page, 'onestop_messages_sent_total{kind="reply",platform="zalo"}') >= 18
        assert _sample(page, 'onestop_nlu_parse_seconds_count{source="rasa"}') >= 18  # Rasa understood them
    finally:
        for bot in bots:
            await bot.stop()
        await engine.dispose()


async def _idle(sessions: SessionFactory) -> bool:
    return await unfinished(sessions) == (0, 0)


def _sample(page: str, name: str) -> float:
    for line in page.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def _log(log: IO[bytes]) -> str:
    log.flush()
    return Path(log.name).read_text(encoding="utf-8", errors="replace")[-3000:]
