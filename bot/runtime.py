"""Everything a running bot needs, opened and closed in one place (web app, console chat,
one-shot commands such as ``notify --once``): database, HTTP session, NLU client, dialogue,
the platform senders and the one delivery path, the inbox worker and the outbox dispatcher."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.alerts import CHECK_EVERY, Alerts
from bot.catalog.catalogue import Catalogue, load_catalogue
from bot.config import Settings
from bot.db import SessionFactory, make_engine, make_sessions, migrate
from bot.delivery import Delivery, RateLimit
from bot.demo import demo_records, load_demo_dossiers, sync_catalogue
from bot.dialogue.turn import Clock, Dialogue, utc_now
from bot.inbox import Acceptor, InboxWorker
from bot.notify.dispatch import Dispatcher
from bot.notify.jobs import TOKEN_EVERY, Jobs, schedule
from bot.notify.outbox import policy_of
from connectors import facebook, zalo
from connectors.base import HTTP_TIMEOUT, InboundEvent, Sender
from connectors.zalo_tokens import ZaloTokens
from nlu.client import NluClient

NLU_WATCH_EVERY = timedelta(seconds=5)


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: SessionFactory
    http: aiohttp.ClientSession
    nlu: NluClient
    dialogue: Dialogue
    senders: Mapping[str, Sender]
    delivery: Delivery
    worker: InboxWorker
    dispatcher: Dispatcher
    zalo_tokens: ZaloTokens | None
    clock: Clock
    acceptor: Acceptor
    demo_codes: frozenset[str]  # the demo dossiers' invented codes (``/healthz`` looks for them)

    async def accept(self, events: list[InboundEvent]) -> None:
        """What the webhooks call: store (before their 200), then wake the worker."""
        await self.acceptor.accept(events)

    def schedule(self, jobs: Jobs) -> None:
        schedule(jobs, self.sessions, self.dispatcher, policy_of(self.settings), self.settings.retention, self.clock)
        jobs.every("nlu-watch", NLU_WATCH_EVERY, self.nlu.watch)  # switches to Rasa as soon as it answers
        alerts = Alerts(self.sessions, lambda: self.nlu.mode, self.clock, self.settings.alert_backlog, self.settings.alert_nlu_down)
        jobs.every("alerts", CHECK_EVERY, alerts.check)
        tokens = self.zalo_tokens
        if tokens is not None:
            jobs.every("zalo-token-refresh", TOKEN_EVERY, tokens.access_token)  # refreshes when close to expiry


RUNTIME = web.AppKey("runtime", Runtime)


class ProcedureNamer:
    """The procedure's name by code, from the catalogue (for notices)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue

    def __call__(self, code: str) -> str | None:
        return self._catalogue.procedures.name_of(code)


@asynccontextmanager
async def open_runtime(settings: Settings, clock: Clock = utc_now) -> AsyncIterator[Runtime]:
    """Migrate the database, update the catalogue and load demo data if asked, and wire everything."""
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        sessions = make_sessions(engine)
        if settings.load_catalogue:
            await sync_catalogue(sessions, settings.data_dir)
        if settings.load_demo_data:
            await load_demo_dossiers(sessions, settings.data_dir)
        demo_codes = frozenset(r.code for r in demo_records(settings.data_dir))
        async with sessions() as session:
            catalogue = await load_catalogue(session, settings.data_dir, settings.agency_code)
        # Every platform call gives up well within a row's lease (bot/delivery.py).
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT.total_seconds())) as http:
            nlu = NluClient(http, settings.nlu_url, settings.nlu_timeout, threshold=settings.nlu_fallback_threshold)
            dialogue = Dialogue(
                nlu, sessions, catalogue, clock, settings.context_idle, settings.receipt_secret, settings.dossier_digits_limit
            )
            tokens = await _zalo_tokens(settings, http, sessions, clock)
            senders = _senders(settings, http, tokens)
            delivery = Delivery(senders, clock, RateLimit(settings.send_rates))
            worker = InboxWorker(sessions, dialogue, delivery, clock)
            dispatcher = Dispatcher(sessions, delivery, catalogue.office, ProcedureNamer(catalogue), clock, settings.quiet_hours)
            acceptor = Acceptor(sessions, worker.wake, clock)
            yield Runtime(
                settings, engine, sessions, http, nlu, dialogue, senders, delivery, worker, dispatcher, tokens, clock, acceptor, demo_codes
            )
    finally:
        await engine.dispose()


async def _zalo_tokens(settings: Settings, http: aiohttp.ClientSession, sessions: SessionFactory, clock: Clock) -> ZaloTokens | None:
    z = settings.zalo
    if z is None:
        return None
    tokens = ZaloTokens(sessions, http, z.oauth_base, z.app_id, z.app_secret, clock)
    await tokens.seed(z.access_token, z.refresh_token)
    return tokens


def _senders(settings: Settings, http: aiohttp.ClientSession, tokens: ZaloTokens | None) -> dict[str, Sender]:
    """One client per enabled platform, all on the runtime's one HTTP session."""
    senders: dict[str, Sender] = {}
    if settings.zalo is not None and tokens is not None:
        z = settings.zalo
        senders[zalo.PLATFORM] = zalo.ZaloClient(http, z.api_base, tokens, z.business_api_base, z.templates)
    if settings.facebook is not None:
        senders[facebook.PLATFORM] = facebook.GraphClient(http, settings.facebook.graph_base, settings.facebook.page_access_token)
    return senders
