"""Everything a running bot needs, opened and closed in one place (web app and console chat)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.catalog.matcher import ProcedureMatcher
from bot.catalog.store import read_agency, read_procedures
from bot.config import ConfigError, Settings
from bot.db import SessionFactory, make_engine, make_sessions, migrate
from bot.demo import load_demo_data
from bot.dialogue.turn import Clock, Dialogue, utc_now
from nlu.client import NluClient


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    http: aiohttp.ClientSession
    nlu: NluClient
    dialogue: Dialogue


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
            office = await read_agency(session, settings.agency_code)
            procedures = await read_procedures(session)
        if office is None:
            raise ConfigError("AGENCY_CODE", f"{settings.agency_code!r} is not in the database (import data/agencies.yml)")
        async with aiohttp.ClientSession() as http:
            nlu = NluClient(http, settings.nlu_url, settings.nlu_timeout, threshold=settings.nlu_fallback_threshold)
            dialogue = Dialogue(nlu, sessions, ProcedureMatcher(procedures), office, clock)
            yield Runtime(settings, engine, sessions, http, nlu, dialogue)
    finally:
        await engine.dispose()
