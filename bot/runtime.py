"""Everything a running bot needs, opened and closed in one place (web app and console chat)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.catalog.catalogue import load_catalogue
from bot.config import Settings
from bot.db import SessionFactory, make_engine, make_sessions, migrate
from bot.demo import load_demo_data
from bot.dialogue.turn import Clock, Dialogue, utc_now
from bot.inbox import InboxWorker
from connectors.base import Sender
from nlu.client import NluClient


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    http: aiohttp.ClientSession
    nlu: NluClient
    dialogue: Dialogue
    worker: InboxWorker
    clock: Clock


RUNTIME = web.AppKey("runtime", Runtime)


@asynccontextmanager
async def open_runtime(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Runtime]:
    """Migrate the database, load demo data if asked, and wire the dialogue."""
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        sessions = make_sessions(engine)
        if settings.load_demo_data:
            await load_demo_data(sessions, settings.data_dir)
        async with sessions() as session:
            catalogue = await load_catalogue(session, settings.data_dir, settings.agency_code)
        async with aiohttp.ClientSession() as http:
            nlu = NluClient(http, settings.nlu_url, settings.nlu_timeout, threshold=settings.nlu_fallback_threshold)
            dialogue = Dialogue(nlu, sessions, catalogue, clock, settings.context_idle, settings.receipt_secret)
            worker = InboxWorker(sessions, dialogue, await _senders(settings, http, sessions, clock), clock)
            yield Runtime(settings, engine, sessions, http, nlu, dialogue, worker, clock)
    finally:
        await engine.dispose()


async def _senders(settings: Settings, http: aiohttp.ClientSession, sessions: SessionFactory, clock: Clock) -> dict[str, Sender]:
    """One client per enabled platform, all on the runtime's one HTTP session."""
    from connectors import facebook, zalo  # the connectors' routes import this module
    from connectors.zalo_tokens import ZaloTokens

    senders: dict[str, Sender] = {}
    if settings.zalo is not None:
        z = settings.zalo
        tokens = ZaloTokens(sessions, http, z.oauth_base, z.app_id, z.app_secret, clock)
        await tokens.seed(z.access_token, z.refresh_token)
        senders[zalo.PLATFORM] = zalo.ZaloClient(http, z.api_base, tokens)
    if settings.facebook is not None:
        senders[facebook.PLATFORM] = facebook.GraphClient(http, settings.facebook.graph_base, settings.facebook.page_access_token)
    return senders
