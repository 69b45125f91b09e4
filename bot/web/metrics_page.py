"""``GET /metrics``: the process's Prometheus metrics (bot/metrics.py), with the inbox's and the
outbox's backlog read from the database at each scrape.

Closed to the public: with ``METRICS_TOKEN`` a scraper sends ``Authorization: Bearer <token>``;
without it only this machine may read them — a loopback client that did not come through a
reverse proxy (no ``X-Forwarded-For``), so nginx forwarding /metrics by mistake exposes nothing.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from datetime import datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession

from bot import metrics
from bot.backlog import read_backlog
from bot.config import Settings
from bot.db import SessionFactory
from bot.dialogue.turn import Clock


def add_routes(app: web.Application, settings: Settings, sessions: Callable[[], SessionFactory], clock: Clock) -> None:
    async def serve(request: web.Request) -> web.StreamResponse:
        refusal = _refusal(request, settings.metrics_token)
        if refusal is not None:
            return refusal
        async with sessions()() as session:
            await _read_gauges(session, clock())
        body = generate_latest(metrics.REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})

    app.router.add_get("/metrics", serve)


async def _read_gauges(session: AsyncSession, now: datetime) -> None:
    for queue, backlog in (await read_backlog(session, now)).items():
        metrics.BACKLOG.labels(queue).set(backlog.waiting)
        metrics.OLDEST_DUE.labels(queue).set(backlog.oldest_due_seconds)


def _refusal(request: web.Request, token: str) -> web.Response | None:
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(given.encode(), token.encode()):
            return None
        return web.json_response({"error": "a bearer token is required"}, status=401, headers={"WWW-Authenticate": "Bearer"})
    if _loopback(request.remote) and "X-Forwarded-For" not in request.headers:
        return None
    return web.json_response({"error": "metrics are served to this machine only (or set METRICS_TOKEN)"}, status=403)


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
